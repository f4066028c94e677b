import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, VirtualClock } from '../../src/index.js';
import { MemoryStore, Persistence } from '../../src/persistence/index.js';
import { flush } from '../fixtures/flush.js';
import { shutdown } from '../fixtures/shutdown.js';

const Account = defineActor({
  name: 'account',
  messages: {
    deposit: z.object({ amount: z.number().int().positive() }),
    depositUnsaved: z.object({ amount: z.number().int().positive() }),
    crash: z.object({}),
    balance: z.object({}),
  },
  initialState: (_key: string) => ({ balance: 0 }),
  persistence: { collection: 'accounts', schema: z.object({ balance: z.number().int() }) },
  passivation: { idleAfterMs: 1_000 },
  supervision: { strategy: 'restart', minBackoffMs: 0, jitter: 0 },
  handlers: {
    deposit: async ({ amount }, ctx) => {
      ctx.state.balance += amount;
      await ctx.save(); // durable before the reply
      return ctx.state.balance;
    },
    depositUnsaved: ({ amount }, ctx) => (ctx.state.balance += amount),
    crash: () => {
      throw new Error('boom');
    },
    balance: (_p, ctx) => ctx.state.balance,
  },
});

describe('persisted actor state', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await shutdown(system);
    system = undefined;
  });

  function start(store = new MemoryStore()) {
    const clock = new VirtualClock();
    system = new ActorSystem({ clock, persistence: new Persistence(store, { clock, closeStore: false }) });
    return { system, clock, store };
  }

  it('refuses an actor type that has both persistence and a load hook', () => {
    expect(() =>
      defineActor({
        name: 'two-loaders',
        messages: { get: z.object({}) },
        initialState: (_key: string) => ({ n: 0 }),
        persistence: { collection: 'counters' },
        load: () => ({ n: 1 }),
        handlers: { get: (_p, ctx) => ctx.state.n },
      }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidConfigError: actor type 'two-loaders' has both persistence (the runtime loads and saves its state) and a load hook (for state kept elsewhere): give one]`,
    );
  });

  it('activates exactly one actor for 10,000 racing asks on one key whose store load is slow, in order', async () => {
    const store = new MemoryStore();
    await store.commit([{ op: 'put', collection: 'accounts', key: 'slow', value: { balance: 7 } }]);
    let loads = 0;
    let releaseLoad!: () => void;
    const gate = new Promise<void>((resolve) => (releaseLoad = resolve));
    const slowStore = Object.assign(Object.create(store) as MemoryStore, {
      get: async (collection: string, key: string) => {
        loads++;
        await gate; // the load is in flight while every ask arrives
        return store.get(collection, key);
      },
    });
    system = new ActorSystem({ persistence: new Persistence(slowStore, { closeStore: false }) });
    const started: string[] = [];
    system.events.on('actor.started', ({ key }) => started.push(key));
    const account = system.ref(Account, 'slow');
    const replies = Array.from({ length: 10_000 }, () => system!.ref(Account, 'slow').ask('depositUnsaved', { amount: 1 }));
    await flush();
    releaseLoad();
    expect(await Promise.all(replies)).toEqual(Array.from({ length: 10_000 }, (_, i) => 8 + i));
    expect(loads).toBe(1);
    expect(started).toEqual(['slow']);
    expect(await account.ask('balance', {})).toBe(10_007);
  });

  it('reads its own last committed write after passivation and re-activation', async () => {
    const { system, clock, store } = start();
    const account = system.ref(Account, 'a');
    expect(await account.ask('deposit', { amount: 5 })).toBe(5);
    expect(await account.ask('deposit', { amount: 7 })).toBe(12);
    expect((await store.get('accounts', 'a'))?.value).toEqual({ balance: 12 });
    clock.advance(1_000);
    await flush();
    clock.advance(1_000);
    await flush();
    expect(system.liveActors).toBe(0);
    expect(await account.ask('balance', {})).toBe(12);
  });

  it('reloads the durable state after a supervised restart, dropping what was never saved', async () => {
    const { system, clock } = start();
    const account = system.ref(Account, 'a');
    await account.ask('deposit', { amount: 10 });
    await account.ask('depositUnsaved', { amount: 99 });
    await expect(account.ask('crash', {})).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
    await flush();
    clock.advance(1);
    await flush();
    expect(await account.ask('balance', {})).toBe(10);
  });

  it('survives a new system on the same store (a process restart)', async () => {
    const store = new MemoryStore();
    const first = start(store);
    await first.system.ref(Account, 'a').ask('deposit', { amount: 3 });
    await shutdown(first.system);
    const second = start(store);
    expect(await second.system.ref(Account, 'a').ask('balance', {})).toBe(3);
  });

  it('refuses to overwrite a record someone else wrote (revision conflict), then reloads it', async () => {
    const { system, clock, store } = start();
    const account = system.ref(Account, 'a');
    await account.ask('deposit', { amount: 1 });
    await store.commit([{ op: 'put', collection: 'accounts', key: 'a', value: { balance: 500 } }]);
    const conflicting = account.ask('deposit', { amount: 1 });
    await expect(conflicting).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED', cause: { code: 'ERR_REVISION_CONFLICT' } });
    await flush();
    clock.advance(1);
    await flush();
    expect(await account.ask('deposit', { amount: 1 })).toBe(501);
  });

  it('fails activation on a stored state that does not match its schema, and never uses it', async () => {
    const store = new MemoryStore();
    await store.commit([{ op: 'put', collection: 'accounts', key: 'bad', value: { balance: 'lots' } }]);
    const { system } = start(store);
    const crashed: unknown[] = [];
    system.events.on('actor.crashed', ({ error }) => crashed.push(error));
    const reply = system.ref(Account, 'bad').ask('balance', {}, { timeoutMs: 10 });
    await flush();
    expect(crashed[0]).toMatchObject({ name: 'ZodError' });
    void reply.catch(() => {});
  });
});
