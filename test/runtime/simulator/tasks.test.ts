/** Tasks under simulation: their reports are steps, so a task's work interleaves with time and faults. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineActor, type ActorRef } from '../../../src/index.js';
import { defineScenario, explore, type FaultKind } from '../../../src/runtime/simulator/index.js';
import { workTask } from '../../fixtures/tasks/definitions.js';

const Runner = defineActor({
  name: 'runner',
  messages: {
    start: z.object({}),
    beat: z.object({}),
    ended: z.object({ code: z.string() }),
  },
  initialState: (_key: string) => ({ beats: 0, ended: '' }),
  handlers: {
    start: (_p, ctx) =>
      void ctx.startTask('work', workTask, { beats: 3 }, {
        timeoutMs: 500,
        onHeartbeat: () => ({ type: 'beat', payload: {} }),
        toMessage: (outcome) => ({ type: 'ended', payload: { code: outcome.ok ? 'ok' : String((outcome.error as { code?: string }).code) } }),
      }),
    beat: (_p, ctx) => void ctx.state.beats++,
    ended: ({ code }, ctx) => void (ctx.state.ended = code),
  },
});

type Ctx = { runner: ActorRef<typeof Runner> };

function runnerScenario(faults: FaultKind[]) {
  return defineScenario<Ctx>({
    name: 'heartbeats',
    faults,
    pools: { work: {} },
    setup: (world) => ({ runner: world.system.ref(Runner, 'r') }),
    actions: [{ name: 'start', run: ({ runner }: Ctx) => runner.tell('start', {}) }],
    // Ends are recorded here, as each schedule settles: how many beats the runner had seen by then.
    eventually: { ended: ({ runner }, world) => (world.peek(runner)?.ended ?? '') !== '' },
  });
}

/** `code:beats` for every schedule, once it has settled. */
async function endings(faults: FaultKind[], schedules: number): Promise<Set<string>> {
  const seen = new Set<string>();
  const scenario = runnerScenario(faults);
  const observed = defineScenario<Ctx>({
    ...scenario,
    eventually: {
      ended: (ctx, world) => {
        const state = world.peek(ctx.runner);
        if (!state?.ended) return false;
        seen.add(`${state.ended}:${state.beats}`);
        return true;
      },
    },
  });
  const report = await explore(observed, { schedules, strategy: 'random', stopOnViolation: false, faultProbability: 0.2 });
  expect(report.violations).toEqual([]);
  return seen;
}

describe('tasks under simulation', () => {
  it('orders each heartbeat as a step: a timeout can land between two of them', async () => {
    const seen = await endings([], 300);
    expect(seen).toContain('ok:3');
    // The task timed out after one or two heartbeats: its work interleaved with virtual time.
    expect([...seen].some((ending) => ending === 'ERR_TASK_TIMEOUT:1' || ending === 'ERR_TASK_TIMEOUT:2')).toBe(true);
  });

  it('crashes a task mid-work at a heartbeat, as a dying thread would', async () => {
    const seen = await endings(['crash-task'], 300);
    expect([...seen].some((ending) => ending === 'ERR_TASK_CRASHED:1' || ending === 'ERR_TASK_CRASHED:2')).toBe(true);
  });
});
