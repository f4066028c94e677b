import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineActor, defineScenario, runSeed, type ActorRef, type StrategyName } from '../../../src/index.js';

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
});
