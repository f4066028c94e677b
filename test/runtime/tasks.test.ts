import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, VirtualClock } from '../../src/index.js';
import { InProcessPool, PiscinaPool, type TaskPool } from '../../src/pools/index.js';
import { flush } from '../fixtures/flush.js';
import { shutdown } from '../fixtures/shutdown.js';
import { openGate, squareTask } from '../fixtures/tasks/definitions.js';

type TaskOutcome = { value?: number | undefined; code?: string | undefined };
/** Resolvers the actor calls when a task outcome arrives, by actor key. */
const outcomes = new Map<string, (outcome: TaskOutcome) => void>();
function nextOutcome(key: string): Promise<TaskOutcome> {
  return new Promise((resolve) => outcomes.set(key, resolve));
}

const Squarer = defineActor({
  name: 'squarer',
  messages: {
    start: z.object({ n: z.number(), steps: z.number().int(), gate: z.instanceof(SharedArrayBuffer).optional() }),
    progress: z.object({ step: z.number() }),
    finished: z.object({ value: z.number().optional(), code: z.string().optional() }),
    ping: z.object({}),
    read: z.object({}),
  },
  initialState: (_key: string) => ({ steps: [] as number[], outcome: undefined as TaskOutcome | undefined }),
  handlers: {
    start: (input, ctx) => {
      ctx.startTask('math', squareTask, input, {
        toMessage: (outcome) =>
          outcome.ok
            ? { type: 'finished', payload: { value: outcome.value } }
            : { type: 'finished', payload: { code: (outcome.error as { code?: string }).code ?? 'unknown' } },
        onProgress: (step) => ({ type: 'progress', payload: { step } }),
      });
    },
    progress: ({ step }, ctx) => void ctx.state.steps.push(step),
    finished: (outcome, ctx) => {
      ctx.state.outcome = outcome;
      outcomes.get(ctx.key)?.(outcome);
    },
    ping: () => 'pong',
    read: (_p, ctx) => ctx.state,
  },
});

const pools: Record<string, () => TaskPool> = {
  piscina: () => new PiscinaPool({ name: 'math', maxThreads: 1 }),
  'in-process': () => new InProcessPool({ name: 'math' }),
};

for (const [kind, makePool] of Object.entries(pools)) {
  describe(`ctx.startTask on the ${kind} pool`, () => {
    let system: ActorSystem;
    afterEach(async () => {
      await system.shutdown();
    });

    it('delivers progress in order and the outcome as messages, without blocking the mailbox', async () => {
      system = new ActorSystem({ pools: { math: makePool() } });
      const ref = system.ref(Squarer, 'a');
      const gate = new SharedArrayBuffer(4);
      const outcome = nextOutcome('a');
      await ref.ask('start', { n: 7, steps: 5, gate });
      expect(await ref.ask('ping', {})).toBe('pong'); // the task is parked on its gate
      openGate(gate);
      expect(await outcome).toEqual({ value: 49 });
      expect(await ref.ask('read', {})).toEqual({ steps: [1, 2, 3, 4, 5], outcome: { value: 49 } });
    });

    it('delivers a failing task as an outcome with its code', async () => {
      system = new ActorSystem({ pools: { math: makePool() } });
      const ref = system.ref(Squarer, 'b');
      const outcome = nextOutcome('b');
      await ref.ask('start', { n: -1, steps: 0 });
      expect(await outcome).toEqual({ code: 'ERR_TASK_FAILED' });
    });

    it('reports a failed task on the event bus, by codes and names only; not its own cancels', async () => {
      system = new ActorSystem({ pools: { math: makePool() } });
      const failures: unknown[] = [];
      system.events.on('task.failed', (event) => failures.push(event));
      const ref = system.ref(Squarer, 'e');
      let outcome = nextOutcome('e');
      await ref.ask('start', { n: 2, steps: 0 });
      await outcome;
      outcome = nextOutcome('e');
      await ref.ask('start', { n: -7, steps: 0 }); // the task throws, its message naming -7
      await outcome;
      expect(failures).toEqual([
        {
          type: 'squarer',
          key: 'e',
          pool: 'math',
          task: 'square',
          code: 'ERR_TASK_FAILED',
          message: 'task "square" #2 on pool "math" failed: Error',
          module: squareTask.moduleHref,
          export: 'square',
        },
      ]);
      expect(JSON.stringify(failures)).not.toContain('-7');
    });

    it('tells the owner of a task cancelled by shutdown', async () => {
      const pool = makePool();
      system = new ActorSystem({ pools: { math: pool } });
      const ref = system.ref(Squarer, 'c');
      const outcome = nextOutcome('c');
      await ref.ask('start', { n: 3, steps: 0, gate: new SharedArrayBuffer(4) }); // never opened
      const seen: string[] = [];
      system.events.on('actor.stopped', ({ key }) => seen.push(key));
      const report = await system.shutdown({ deadlineMs: 200 });
      expect(await outcome).toEqual({ code: 'ERR_POOL_CLOSED' });
      expect(report.stopped).toBe(1);
      expect(seen).toEqual(['c']);
    });
  });
}

describe('task.failed events', () => {
  it('come for a timeout, not for a cancel the owner asked for', async () => {
    const clock = new VirtualClock();
    const Parked = defineActor({
      name: 'parked',
      messages: { start: z.object({ timeoutMs: z.number().optional() }), ended: z.object({ code: z.string() }), read: z.object({}) },
      initialState: (_key: string) => ({ ended: [] as string[] }),
      handlers: {
        start: ({ timeoutMs }, ctx) => {
          const cancel = new AbortController();
          ctx.startTask('math', squareTask, { n: 1, steps: 0, gate: new SharedArrayBuffer(4) }, {
            ...(timeoutMs === undefined ? { signal: cancel.signal } : { timeoutMs }),
            toMessage: (outcome) => ({ type: 'ended', payload: { code: outcome.ok ? 'ok' : String((outcome.error as { code?: string }).code) } }),
          });
          if (timeoutMs === undefined) cancel.abort();
        },
        ended: ({ code }, ctx) => void ctx.state.ended.push(code),
        read: (_p, ctx) => ctx.state.ended,
      },
    });
    const system = new ActorSystem({ clock, pools: { math: new InProcessPool({ name: 'math', clock }) } });
    const failures: string[] = [];
    system.events.on('task.failed', ({ key, code }) => failures.push(`${key} ${code}`));
    await system.ref(Parked, 'cancelled').ask('start', {});
    await system.ref(Parked, 'timed-out').ask('start', { timeoutMs: 100 });
    await flush();
    clock.advance(100);
    await flush();
    expect(await system.ref(Parked, 'cancelled').ask('read', {})).toEqual(['ERR_TASK_ABORTED']);
    expect(await system.ref(Parked, 'timed-out').ask('read', {})).toEqual(['ERR_TASK_TIMEOUT']);
    expect(failures).toEqual(['timed-out ERR_TASK_TIMEOUT']);
    await shutdown(system, 10);
  });
});
