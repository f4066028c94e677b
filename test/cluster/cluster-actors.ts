/**
 * Actors the cluster tests share: a ledger whose appends are durable, and
 * an alarm that rings itself through a durable reminder.
 */
import { z } from 'zod';
import { defineActor, reminderFiring } from '../../src/index.js';

/** Appends persist before they are answered (with the number of entries); `entries` reads them. */
export const Ledger = defineActor({
  name: 'ledger',
  messages: { append: z.object({ n: z.number().int() }), entries: z.object({}) },
  initialState: () => ({ entries: [] as number[] }),
  persistence: { collection: 'ledgers' },
  handlers: {
    append: async ({ n }, ctx) => {
      ctx.state.entries.push(n);
      await ctx.save();
      return ctx.state.entries.length;
    },
    entries: (_payload, ctx) => ctx.state.entries,
  },
});

/** An alarm: `set` sets a durable reminder, each ring is kept in its state as `ringOf` names it (the firing's id, the node that rang), `rings` reads them. */
export function alarmActor(ringOf: (firingId: string, key: string) => string) {
  return defineActor({
    name: 'alarm',
    messages: { set: z.object({ afterMs: z.number().int() }), ring: z.object({ firing: reminderFiring }), rings: z.object({}) },
    initialState: () => ({ rings: [] as string[] }),
    persistence: { collection: 'alarms' },
    handlers: {
      set: async ({ afterMs }, ctx) => {
        ctx.remind('ring', { afterMs }, { type: 'ring', payload: {} });
        await ctx.save();
      },
      ring: async ({ firing }, ctx) => {
        ctx.state.rings.push(ringOf(firing.id, ctx.key));
        await ctx.save();
      },
      rings: (_payload, ctx) => ctx.state.rings,
    },
  });
}
