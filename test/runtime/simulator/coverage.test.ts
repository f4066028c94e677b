import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineActor, type ActorRef } from '../../../src/index.js';
import { defineScenario, explore, expectNoViolations, replay, replayLine, runSeed, shrink } from '../../../src/runtime/simulator/index.js';
import { simulatedIo } from '../../../src/runtime/simulator/index.js';
import { COOK_SCENARIOS } from '../../../src/actors/cook/simulation/scenarios.js';

const Counter = defineActor({
  name: 'counter',
  messages: { add: z.object({}), read: z.object({}) },
  initialState: (_key: string) => ({ count: 0 }),
  persistence: { collection: 'counters' },
  handlers: {
    add: async (_p, ctx) => {
      ctx.state.count++;
      await ctx.save();
      return ctx.state.count;
    },
    read: (_p, ctx) => ctx.state.count,
  },
});

type CounterCtx = { readonly counter: ActorRef<typeof Counter> };
const setup = (world: { system: { ref: (def: typeof Counter, key: string) => ActorRef<typeof Counter> } }) => ({ counter: world.system.ref(Counter, 'c') });

describe('coverage: a green run must have tested something', () => {
  it('runs every pending action after a whole-system crash: the outside world does not crash with the system', async () => {
    const crashFirst = defineScenario<CounterCtx>({
      name: 'crash-first',
      setup,
      faults: ['crash-system'],
      actions: Array.from({ length: 3 }, (_, i) => ({ name: `add ${i}`, run: ({ counter }) => counter.ask('add', {}).catch(() => undefined) })),
    });
    const result = await runSeed(crashFirst, 1, 'random', { faultPlan: [{ step: 0, kind: 'crash-system' }] });
    expect(result.trace[0]?.label).toBe('fault: crash system');
    expect(result.violation).toBeUndefined();
    expect(result.coverage.actions).toEqual(['add 0', 'add 1', 'add 2']);
  });

  it('sends a request again whose caller was still waiting when the system crashed', async () => {
    const midway = defineScenario<CounterCtx>({
      name: 'crash-midway',
      setup,
      faults: ['crash-system'],
      actions: [{ name: 'add', run: ({ counter }) => counter.ask('add', {}) }],
    });
    const result = await runSeed(midway, 1, 'random', { faultPlan: [{ step: 1, kind: 'crash-system' }] });
    expect(result.trace.map((step) => step.label).filter((label) => label.startsWith('action') || label.startsWith('fault'))).toEqual([
      'action add#1',
      'fault: crash system',
      'action add#1',
    ]);
    expect(result.coverage.actions).toEqual(['add']);
  });

  it('the built-in crash scenario now starts the cook in every schedule (it left about 7 % unstarted)', async () => {
    const systemCrash = COOK_SCENARIOS.find((scenario) => scenario.name === 'cook-system-crash')!;
    const report = await explore(systemCrash, { schedules: 200, stopOnViolation: false });
    expect(report.violations).toEqual([]);
    expect(report.coverage.actions['owner starts #1']).toBe(1);
    expect(report.coverage.eventually['a started cook ends completed, or failed with a reason']).toBe(1);
  });

  it("runs every owner's start to its end while the cook is busy with its own outcomes (they once overtook the owner's asks, which timed out and were dropped until the run ended)", async () => {
    const concurrentStarts = COOK_SCENARIOS.find((scenario) => scenario.name === 'cook-concurrent-starts')!;
    const report = await explore(concurrentStarts, { schedules: 200, stopOnViolation: false });
    expect(report.violations).toEqual([]);
    expect(Object.values(report.coverage.actions).every((share) => share === 1)).toBe(true);
  });

  it('fails expectNoViolations when an action rarely runs to its end, and when a goal is reached only vacuously', async () => {
    const rarelyRun = defineScenario<CounterCtx>({
      name: 'rarely-run',
      setup,
      // A step budget too small for the actions: the run ends before most of them happened.
      maxSteps: 10,
      actions: [{ name: 'add', times: 20, run: ({ counter }) => counter.ask('add', {}).catch(() => undefined) }],
    });
    await expect(expectNoViolations(rarelyRun, { schedules: 50 })).rejects.toThrow(
      "scenario 'rarely-run' passed 50 schedule(s) but tested too little:\n  action 'add' ran to its end in 0.0 % of schedules (at least 95.0 % required)",
    );
    const vacuous = defineScenario<CounterCtx & { readonly asked: { value: boolean } }>({
      name: 'vacuous-goal',
      setup: (world) => ({ ...setup(world), asked: world.scratch('asked', () => ({ value: false })) }),
      actions: [{ name: 'noop', run: () => undefined }],
      eventually: { 'counted once asked': { given: ({ asked }) => asked.value, holds: ({ counter }, world) => (world.durable(counter)?.count ?? 0) === 1 } },
    });
    await expect(expectNoViolations(vacuous, { schedules: 20 })).rejects.toThrow(/eventually 'counted once asked' was reached by the system in 0\.0 % of schedules/);
    await expect(expectNoViolations({ ...vacuous, coverage: { eventually: 0 } }, { schedules: 20 })).resolves.toMatchObject({ schedules: 20 });
  });

  it('reports a rejected async action as a violation, as a synchronous throw', async () => {
    const rejecting = defineScenario<CounterCtx>({
      name: 'rejecting',
      setup,
      actions: [
        {
          name: 'add then complain',
          run: async ({ counter }) => {
            await counter.ask('add', {});
            throw new Error('the answer was wrong');
          },
        },
      ],
    });
    const result = await runSeed(rejecting, 1, 'lazy-time');
    expect(result.violation).toMatchObject({ kind: 'error', name: 'action rejected', message: 'action add then complain#1 rejected: Error: the answer was wrong' });
  });
});

describe('state to check against, and outcomes to assert on', () => {
  it('keeps world.scratch across whole-system crashes, and world.durable reads the record of an actor that is not live', async () => {
    const seen: { sameScratch: boolean; peek: number | undefined; durable: number | undefined }[] = [];
    const crashing = defineScenario<CounterCtx & { readonly acked: number[] }>({
      name: 'scratch-across-crash',
      setup: (world) => ({ ...setup(world), acked: world.scratch('acked', () => [] as number[]) }),
      recover: ({ counter, acked }, world) => {
        seen.push({ sameScratch: world.scratch('acked', () => [] as number[]) === acked, peek: world.peek(counter)?.count, durable: world.durable(counter)?.count });
      },
      faults: ['crash-system'],
      actions: [{ name: 'add', run: async ({ counter, acked }) => void acked.push(await counter.ask('add', {})) }],
      summarize: ({ acked }, world) => ({ acked: [...acked], incarnations: world.incarnation }),
    });
    // The crash lands once the add was acknowledged (its commit and answer are the steps before).
    const result = await runSeed(crashing, 3, 'lazy-time', { faultPlan: [{ step: 3, kind: 'crash-system' }] });
    expect(result.violation).toBeUndefined();
    const summary = result.summary as { acked: number[]; incarnations: number };
    expect(summary).toEqual({ acked: [1], incarnations: 1 });
    expect(seen).toEqual([{ sameScratch: true, peek: undefined, durable: 1 }]);
  });

  it('returns a summary per schedule from explore, in seed order', async () => {
    const counted = defineScenario<CounterCtx, number>({
      name: 'summarized',
      setup,
      actions: [{ name: 'add', times: 3, run: ({ counter }) => counter.ask('add', {}).catch(() => undefined) }],
      summarize: ({ counter }, world) => world.durable(counter)?.count ?? 0,
    });
    const report = await explore(counted, { schedules: 30, strategy: 'lazy-time' });
    expect(report.summaries).toHaveLength(30);
    expect(report.summaries.every((count) => count === 3)).toBe(true);
  });

  it('prints a replay line for a shrunk run that replays it, step for step', async () => {
    let total = 0;
    const broken = defineScenario<CounterCtx>({
      name: 'broken-total',
      init: () => void (total = 0),
      setup,
      faults: ['crash-system'],
      actions: Array.from({ length: 4 }, (_, i) => ({ name: `add ${i}`, run: ({ counter }) => counter.ask('add', {}).then(() => void total++, () => undefined) })),
      invariants: { 'at most two': () => total <= 2 || `total ${total}` },
    });
    const failing = (await explore(broken, { schedules: 50 })).violations[0]!;
    const shrunk = await shrink(broken, failing);
    expect(shrunk.strategy).toBe('guided');
    const line = replayLine(shrunk);
    expect(line).toMatch(/^scenario=broken-total strategy=guided seed=\d+ picks=(f?\d+)(\.f?\d+)*$/);
    const again = await replay(broken, line);
    expect(again.hash).toBe(shrunk.hash);
    expect(again.violation?.name).toBe('at most two');
  });
});

/** Defined once, at module scope: no per-run `let` and `ReturnType` to reach `world.io`. */
const Fetcher = defineActor({
  name: 'fetcher',
  messages: { fetch: z.object({ url: z.string() }) },
  initialState: (_key: string) => ({ pages: 0 }),
  handlers: {
    fetch: async ({ url }, ctx) => {
      await simulatedIo(`download ${url}`, undefined);
      ctx.state.pages++;
    },
  },
});

describe('scenario ergonomics', () => {
  it('lets a module-scope actor reach the run’s world.io through simulatedIo, each call a step', async () => {
    const fetching = defineScenario({
      name: 'fetching',
      setup: (world) => ({ fetcher: world.system.ref(Fetcher, 'f') }),
      actions: [{ name: 'fetch', times: 2, run: ({ fetcher }) => fetcher.tell('fetch', { url: 'a' }) }],
      summarize: ({ fetcher }, world) => world.peek(fetcher)?.pages,
    });
    const result = await runSeed(fetching, 1, 'random');
    expect(result.trace.filter((step) => step.label === 'io download a')).toHaveLength(2);
    expect(result.summary).toBe(2);
  });
});
