import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor } from '../../src/index.js';
import { InProcessPool, PiscinaPool, type TaskPool } from '../../src/pools/index.js';
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
