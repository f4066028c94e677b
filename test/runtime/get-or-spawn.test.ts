import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, InvalidConfigError, InvalidKeyError } from '../../src/index.js';
import { Counter } from '../fixtures/counter.js';

describe('get-or-spawn', () => {
  let system: ActorSystem;
  afterEach(async () => {
    await system.shutdown();
  });

  it('gives exactly one actor for 10,000 racing look-ups and asks on one key', async () => {
    system = new ActorSystem();
    let started = 0;
    system.events.on('actor.started', () => started++);
    const replies = await Promise.all(
      Array.from({ length: 10_000 }, () => system.ref(Counter, 'hot').ask('add', { by: 1 })),
    );
    expect(started).toBe(1);
    expect(system.liveActors).toBe(1);
    expect(await system.ref(Counter, 'hot').ask('get', {})).toBe(10_000);
    expect(new Set(replies).size).toBe(10_000); // every add saw a distinct count: no lost update
  });

  it('activates once when the load is slow, and delivers messages sent meanwhile in order', async () => {
    system = new ActorSystem();
    let loads = 0;
    let releaseLoad!: () => void;
    const loadGate = new Promise<void>((resolve) => (releaseLoad = resolve));
    const Log = defineActor({
      name: 'log',
      messages: { append: z.object({ n: z.number() }), read: z.object({}) },
      initialState: (_key: string) => ({ entries: [] as number[] }),
      load: async () => {
        loads++;
        await loadGate;
        return { entries: [-1] };
      },
      handlers: {
        append: ({ n }, ctx) => void ctx.state.entries.push(n),
        read: (_p, ctx) => ctx.state.entries,
      },
    });
    const asks = Array.from({ length: 10_000 }, (_, n) => system.ref(Log, 'k').ask('append', { n }));
    expect(loads).toBe(0); // activation waits a microtask; nothing has run yet
    releaseLoad();
    await Promise.all(asks);
    expect(loads).toBe(1);
    const entries = await system.ref(Log, 'k').ask('read', {});
    expect(entries).toEqual([-1, ...Array.from({ length: 10_000 }, (_, n) => n)]);
  });

  it('keeps one actor per key across many keys', async () => {
    system = new ActorSystem();
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => system.ref(Counter, `k${i % 100}`).ask('add', { by: 1 })));
    expect(system.liveActors).toBe(100);
    expect(await system.ref(Counter, 'k7').ask('get', {})).toBe(10);
  });

  it('refuses an empty key and a second definition with the same name', () => {
    system = new ActorSystem();
    expect(() => system.ref(Counter, '')).toThrow(InvalidKeyError);
    const Impostor = defineActor({ ...Counter, handlers: Counter.handlers });
    system.ref(Counter, 'a');
    expect(() => system.ref(Impostor, 'a')).toThrowErrorMatchingInlineSnapshot(
      `[InvalidConfigError: two different actor definitions are named 'counter']`,
    );
    expect(() => system.ref(Impostor, 'a')).toThrow(InvalidConfigError);
  });
});
