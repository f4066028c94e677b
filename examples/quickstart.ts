// The README's embedding example: an actor per account, durable state, and a race that cannot happen.
import { z } from 'zod';
import { ActorSystem, defineActor } from 'steward';
import { LowdbStore, Persistence } from 'steward/persistence';

const Account = defineActor({
  name: 'account',
  messages: { deposit: z.object({ amount: z.number().int().positive() }), balance: z.object({}) },
  initialState: (_key: string) => ({ balance: 0 }),
  persistence: { collection: 'accounts' }, // loaded on activation, written by ctx.save()
  handlers: {
    deposit: async ({ amount }, ctx) => {
      ctx.state.balance += amount; // one message at a time: no lock, no lost update
      await ctx.save(); // durable before we answer
      return ctx.state.balance;
    },
    balance: (_payload, ctx) => ctx.state.balance,
  },
});

const store = await LowdbStore.open({ dir: process.env.STEWARD_DATA_DIR ?? './data/quickstart' });
await using system = new ActorSystem({ persistence: new Persistence(store) });
const alice = system.ref(Account, 'alice');
await Promise.all(Array.from({ length: 100 }, () => alice.ask('deposit', { amount: 1 })));
console.log(`alice has ${await alice.ask('balance', {})}`); // +100 on every run
