import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineActor, reminderFiring, type ActorRef } from '../../../src/index.js';
import { defineScenario, runSeed, type ScheduleResult } from '../../../src/runtime/simulator/index.js';

const Alarm = defineActor({
  name: 'alarm',
  messages: { arm: z.object({}), ring: z.object({ firing: reminderFiring }) },
  initialState: (_key: string) => ({ armed: false, rangAt: null as number | null }),
  persistence: { collection: 'alarms' },
  handlers: {
    arm: async (_p, ctx) => {
      ctx.state.armed = true;
      ctx.remind('ring', { afterMs: 1_000 }, { type: 'ring', payload: {} });
      await ctx.save(); // state and reminder, one commit: acknowledged only once both are durable
    },
    ring: async (_p, ctx) => {
      ctx.state.rangAt = ctx.clock.now();
      await ctx.save();
    },
  },
});

interface AlarmCtx {
  readonly alarm: ActorRef<typeof Alarm>;
  /** The incarnation in which `arm` was acknowledged: scratch, so it outlives the crash. */
  readonly acked: { incarnation: number | undefined };
}

interface AlarmSummary {
  readonly ackedIn: number | undefined;
  readonly incarnations: number;
  readonly rangAt: number | null | undefined;
}

const alarmScenario = defineScenario<AlarmCtx, AlarmSummary>({
  name: 'alarm-across-a-crash',
  // Every incarnation starts its reminder service: nothing else in the new one would (no ctx.remind runs again).
  reminders: { actors: [Alarm] },
  faults: ['crash-system'],
  setup: (world) => ({ alarm: world.system.ref(Alarm, 'a'), acked: world.scratch('acked', () => ({ incarnation: undefined as number | undefined })) }),
  actions: [
    {
      name: 'arm',
      run: async ({ alarm, acked }, world) => {
        // A client that retries until answered (arming again replaces the reminder of that name).
        for (;;) {
          try {
            await alarm.ask('arm', {});
            acked.incarnation ??= world.incarnation;
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== 'ERR_ASK_TIMEOUT') throw error;
          }
        }
      },
    },
  ],
  eventually: {
    'an acknowledged alarm rings': {
      given: ({ acked }) => acked.incarnation !== undefined,
      holds: ({ alarm }, world) => (world.durable(alarm)?.rangAt ?? null) !== null,
    },
  },
  summarize: ({ alarm, acked }, world) => ({ ackedIn: acked.incarnation, incarnations: world.incarnation, rangAt: world.durable(alarm)?.rangAt }),
});

describe('reminders under simulated whole-system crashes', () => {
  it('fires a reminder committed before the crash, in the incarnation after it', async () => {
    const runs: ScheduleResult<AlarmSummary>[] = [];
    for (let step = 0; step < 12; step++) runs.push(await runSeed(alarmScenario, 7, 'lazy-time', { faultPlan: [{ step, kind: 'crash-system' }] }));
    expect(runs.map((run) => run.violation)).toEqual(runs.map(() => undefined));
    // The case that matters: acknowledged (committed) before the crash, rung (on virtual time) after it.
    const across = runs.filter((run) => {
      const crashAt = run.trace.find((step) => step.label === 'fault: crash system')?.at;
      const summary = run.summary as AlarmSummary;
      return summary.ackedIn === 0 && summary.incarnations === 1 && crashAt !== undefined && (summary.rangAt ?? -1) > crashAt;
    });
    expect(across.length).toBeGreaterThan(0);
    expect(runs.every((run) => run.coverage.goals.includes('an acknowledged alarm rings'))).toBe(true);
  });
});
