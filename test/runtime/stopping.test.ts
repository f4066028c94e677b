import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor } from '../../src/index.js';
import { flush } from '../fixtures/flush.js';
import { shutdown } from '../fixtures/shutdown.js';

/** Records `ctx.stopping` before and after awaiting a gate the test opens. */
function gatedActor(name: string) {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const seen: boolean[] = [];
  const definition = defineActor({
    name,
    messages: { work: z.object({}), quit: z.object({}) },
    initialState: (_key: string) => ({}),
    handlers: {
      work: async (_p, ctx) => {
        seen.push(ctx.stopping);
        await gate;
        seen.push(ctx.stopping);
      },
      quit: (_p, ctx) => {
        ctx.stop();
        seen.push(ctx.stopping);
      },
    },
  });
  return { definition, seen, open: () => open() };
}

describe('ctx.stopping', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await shutdown(system);
    system = undefined;
  });

  it('turns true once system shutdown begins, inside a turn still running', async () => {
    system = new ActorSystem();
    const actor = gatedActor('stopping-shutdown');
    system.ref(actor.definition, 'a').tell('work', {});
    await flush();
    const report = system.shutdown({ deadlineMs: 1_000 });
    actor.open();
    await report;
    expect(actor.seen).toEqual([false, true]);
  });

  it('turns true when the actor is stopped from outside, and when it stops itself', async () => {
    system = new ActorSystem();
    const actor = gatedActor('stopping-stop');
    const ref = system.ref(actor.definition, 'a');
    ref.tell('work', {});
    await flush();
    const stopped = system.stop(ref);
    actor.open();
    await stopped;
    expect(actor.seen).toEqual([false, true]);

    const self = gatedActor('stopping-self');
    await system.ref(self.definition, 'b').ask('quit', {});
    expect(self.seen).toEqual([true]);
  });
});
