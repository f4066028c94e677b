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

const Pair = defineActor({
  name: 'pair',
  messages: { start: z.object({}), ended: z.object({ task: z.string(), code: z.string() }) },
  initialState: (_key: string) => ({ ended: {} as Record<string, string> }),
  handlers: {
    start: (_p, ctx) => {
      for (const [task, timeoutMs] of [
        ['short', 100],
        ['long', 60_000],
      ] as const) {
        ctx.startTask('shared', workTask, { beats: 3 }, {
          timeoutMs,
          toMessage: (outcome) => ({ type: 'ended', payload: { task, code: outcome.ok ? 'ok' : String((outcome.error as { code?: string }).code) } }),
        });
      }
    },
    ended: ({ task, code }, ctx) => void (ctx.state.ended[task] = code),
  },
});

describe('shared-thread pools under simulation', () => {
  it("passes a scenario pool's concurrentTasksPerWorker and recycleGraceMs through: a hung neighbour's thread is recycled", async () => {
    const endingsOfLong = new Set<string>();
    const incidents = new Set<string>();
    const scenario = defineScenario<{ pair: ActorRef<typeof Pair> }>({
      name: 'shared-thread',
      // Two tasks on one virtual thread: the short one times out while its work goes on, and holds the thread until recycled.
      pools: { shared: { concurrency: 2, concurrentTasksPerWorker: 2, recycleGraceMs: 1_000 } },
      setup: (world) => {
        world.system.events.on('pool.incident', ({ pool, code, error }) => incidents.add(`${pool} ${code} ${error.message}`));
        return { pair: world.system.ref(Pair, 'p') };
      },
      actions: [{ name: 'start', run: ({ pair }) => pair.tell('start', {}) }],
      eventually: {
        'both ended': ({ pair }, world) => {
          const ended = world.peek(pair)?.ended ?? {};
          if (ended.long === undefined || ended.short === undefined) return false;
          endingsOfLong.add(ended.long);
          return true;
        },
      },
    });
    const report = await explore(scenario, { schedules: 200, strategy: 'random', stopOnViolation: false });
    expect(report.violations).toEqual([]);
    expect(endingsOfLong).toContain('ok');
    // No crash fault in this scenario: only a recycle of the shared thread crashes the long task.
    expect(endingsOfLong).toContain('ERR_TASK_CRASHED');
    // Each recycle reached the system's events (not a process warning).
    expect([...incidents].every((incident) => /^shared ERR_THREAD_RECYCLED pool "shared" recycled a thread: task "work" #\d on pool "shared" still ran 1000 ms after it timed out$/.test(incident))).toBe(true);
    expect(incidents.size).toBeGreaterThan(0);
  });
});
