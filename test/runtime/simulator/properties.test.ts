import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineActor, type ActorRef } from '../../../src/index.js';
import { defineScenario, runSeed, type PlannedFault, type StrategyName } from '../../../src/runtime/simulator/index.js';

const Wallet = defineActor({
  name: 'wallet',
  messages: { credit: z.object({ amount: z.number().int() }), debit: z.object({ amount: z.number().int() }) },
  initialState: (_key: string) => ({ balance: 0, overdrawn: false }),
  persistence: { collection: 'wallets' },
  handlers: {
    credit: async ({ amount }, ctx) => {
      ctx.state.balance += amount;
      await ctx.save();
    },
    debit: async ({ amount }, ctx) => {
      if (ctx.state.balance < amount) return false; // check and set in one turn
      ctx.state.balance -= amount;
      await ctx.save();
      return true;
    },
  },
});

/** fast-check generates the scenario's inputs: how many wallets, and who credits or debits what. */
function walletScenario(wallets: number, moves: readonly { wallet: number; amount: number; debit: boolean }[]) {
  return defineScenario<{ refs: ActorRef<typeof Wallet>[] }>({
    name: 'wallets',
    faults: ['crash-actor', 'fail-commit'],
    setup: (world) => ({ refs: Array.from({ length: wallets }, (_, i) => world.system.ref(Wallet, `w${i}`)) }),
    actions: moves.map((move, i) => ({
      name: `move ${i}`,
      run: ({ refs }: { refs: ActorRef<typeof Wallet>[] }) =>
        refs[move.wallet % wallets]!.ask(move.debit ? 'debit' : 'credit', { amount: move.amount }).catch(() => undefined),
    })),
    invariants: {
      'never overdrawn': ({ refs }, world) => refs.every((ref) => (world.peek(ref)?.balance ?? 0) >= 0),
    },
  });
}

const moves = fc.array(fc.record({ wallet: fc.nat(4), amount: fc.integer({ min: 1, max: 50 }), debit: fc.boolean() }), { minLength: 1, maxLength: 12 });
const strategies = fc.constantFrom<StrategyName>('random', 'pct', 'portfolio');

describe('simulator properties (fast-check generates the inputs)', () => {
  it('holds the invariant for any wallets, moves, seed and strategy', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), moves, fc.integer({ min: 1, max: 1_000_000 }), strategies, async (wallets, plan, seed, strategy) => {
        const result = await runSeed(walletScenario(wallets, plan), seed, strategy, { faultProbability: 0.05 });
        expect(result.violation).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  it('replays any seed identically, faults included', async () => {
    await fc.assert(
      fc.asyncProperty(moves, fc.integer({ min: 1, max: 1_000_000 }), strategies, async (plan, seed, strategy) => {
        const scenario = walletScenario(3, plan);
        const [first, second] = [await runSeed(scenario, seed, strategy, { faultProbability: 0.1 }), await runSeed(scenario, seed, strategy, { faultProbability: 0.1 })];
        expect(second.hash).toBe(first.hash);
        expect(second.trace).toEqual(first.trace);
      }),
      { numRuns: 100 },
    );
  });

  it('holds the invariant under any fault plan fast-check generates', async () => {
    const plans = fc.array(fc.record({ step: fc.nat(30), kind: fc.constantFrom<PlannedFault['kind']>('crash-actor', 'fail-commit') }), { maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(moves, plans, fc.integer({ min: 1, max: 1_000_000 }), async (plan, faultPlan, seed) => {
        const result = await runSeed(walletScenario(3, plan), seed, 'random', { faultPlan });
        expect(result.violation).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });
});

/** Counts in memory only, yet its callers take an answer as a promise kept. */
const Tally = defineActor({
  name: 'tally',
  messages: { add: z.object({}) },
  initialState: (_key: string) => ({ count: 0 }),
  handlers: { add: (_p, ctx) => ++ctx.state.count },
});

type TallyCtx = { tally: ActorRef<typeof Tally>; acknowledged: number };
const forgetful = defineScenario<TallyCtx>({
  name: 'forgetful-tally',
  faults: ['crash-actor'],
  setup: (world) => ({ tally: world.system.ref(Tally, 't'), acknowledged: 0 }),
  actions: [
    {
      name: 'add',
      times: 4,
      run: async (ctx: TallyCtx) => {
        if ((await ctx.tally.ask('add', {}).catch(() => undefined)) !== undefined) ctx.acknowledged++;
      },
    },
  ],
  invariants: {
    'acknowledged adds are kept': ({ tally, acknowledged }, world) => {
      const count = world.peek(tally)?.count;
      return count === undefined || count >= acknowledged || `acknowledged ${acknowledged}, count ${count}`;
    },
  },
});

describe('fault plans', () => {
  it('lets fast-check find a fault plan that breaks naive code, and shrink it to one fault', async () => {
    expect((await runSeed(forgetful, 1, 'random', { faultPlan: [] })).violation).toBeUndefined();
    const plans = fc.array(fc.record({ step: fc.nat(20), kind: fc.constant<PlannedFault['kind']>('crash-actor') }), { maxLength: 6 });
    const outcome = await fc.check(
      fc.asyncProperty(plans, async (faultPlan) => (await runSeed(forgetful, 1, 'random', { faultPlan })).violation === undefined),
      { numRuns: 300, seed: 7 },
    );
    expect(outcome.failed).toBe(true);
    const [shrunk] = outcome.counterexample ?? [[]];
    expect(shrunk).toHaveLength(1);
    const replayed = await runSeed(forgetful, 1, 'random', { faultPlan: shrunk });
    expect(replayed.violation?.name).toBe('acknowledged adds are kept');
    expect(replayed.trace.some((step) => step.label === 'fault: crash actor tally/t')).toBe(true);
  });

  it('refuses a plan with a fault the scenario does not allow, or a step that is no step', async () => {
    await expect(runSeed(forgetful, 1, 'random', { faultPlan: [{ step: 1, kind: 'crash-system' }] })).rejects.toMatchObject({
      code: 'ERR_INVALID_FAULT_PLAN',
      message: "faultPlan[0] asks for 'crash-system', which scenario 'forgetful-tally' does not allow (its faults: crash-actor)",
    });
    await expect(runSeed(forgetful, 1, 'random', { faultPlan: [{ step: -1, kind: 'crash-actor' }] })).rejects.toMatchObject({ code: 'ERR_INVALID_FAULT_PLAN' });
  });
});
