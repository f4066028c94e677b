import { z } from 'zod';
import { defineActor, type ActorRef } from '../../src/index.js';
import { defineScenario } from '../../src/runtime/simulator/index.js';

const Account = defineActor({
  name: 'bench-account',
  messages: { deposit: z.object({ amount: z.number() }) },
  initialState: (_key: string) => ({ balance: 0 }),
  persistence: { collection: 'accounts' },
  handlers: {
    deposit: async ({ amount }, ctx) => {
      ctx.state.balance += amount;
      await ctx.save();
      return ctx.state.balance;
    },
  },
});

const ACCOUNTS = 5;
const DEPOSITS = 32;

interface LedgerCtx {
  readonly accounts: readonly ActorRef<typeof Account>[];
}

/** ~100 steps: 32 deposits over 5 accounts, each an action, a turn and a group-committed write. */
export const ledgerScenario = defineScenario<LedgerCtx>({
  name: 'bench-ledger',
  setup: (world) => ({ accounts: Array.from({ length: ACCOUNTS }, (_, i) => world.system.ref(Account, `a${i}`)) }),
  actions: Array.from({ length: DEPOSITS }, (_, i) => ({
    name: `deposit ${i}`,
    // A client that gives up on a timed-out answer: a rejected action would be a violation.
    run: ({ accounts }: LedgerCtx) => accounts[i % ACCOUNTS]!.ask('deposit', { amount: 1 }).catch(() => undefined),
  })),
  invariants: {
    'balances never exceed deposits': ({ accounts }, world) =>
      accounts.reduce((sum, account) => sum + (world.peek(account)?.balance ?? 0), 0) <= DEPOSITS,
  },
});

const Relay = defineActor({
  name: 'bench-relay',
  messages: { pass: z.object({ hops: z.number().int() }) },
  initialState: (_key: string) => ({ passed: 0 }),
  handlers: {
    pass: ({ hops }, ctx) => {
      ctx.state.passed++;
      if (hops > 0) ctx.ref(Relay, ctx.key === 'a' ? 'b' : 'a').tell('pass', { hops: hops - 1 });
    },
  },
});

interface RelayCtx {
  readonly relays: readonly ActorRef<typeof Relay>[];
}

/** ~100 steps of messaging only (no store): the simulator's own cost per step, without persistence work. */
export const relayScenario = defineScenario<RelayCtx>({
  name: 'bench-relay',
  setup: (world) => ({ relays: [world.system.ref(Relay, 'a'), world.system.ref(Relay, 'b')] }),
  actions: Array.from({ length: 8 }, (_, i) => ({
    name: `serve ${i}`,
    run: ({ relays }: RelayCtx) => relays[i % 2]!.tell('pass', { hops: 11 }),
  })),
  invariants: {
    'passes add up': ({ relays }, world) => relays.reduce((sum, relay) => sum + (world.peek(relay)?.passed ?? 0), 0) <= 96,
  },
});
