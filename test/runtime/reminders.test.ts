import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, reminderFiring, VirtualClock, type Clock } from '../../src/index.js';
import { MemoryStore, Persistence } from '../../src/persistence/index.js';
import { flush } from '../fixtures/flush.js';
import { shutdown } from '../fixtures/shutdown.js';

interface Firing {
  readonly key: string;
  readonly id: string;
  readonly scheduledAt: number;
  readonly at: number;
  readonly note: string;
}
const fired: Firing[] = [];

const Cookie = defineActor({
  name: 'cookie',
  messages: {
    schedule: z.object({ name: z.string(), afterMs: z.number().optional(), everyMs: z.number().optional(), jitterMs: z.number().optional(), save: z.boolean().optional() }),
    cancel: z.object({ name: z.string() }),
    list: z.object({}),
    rotate: z.object({ note: z.string(), firing: reminderFiring }),
    failing: z.object({ firing: reminderFiring }),
  },
  initialState: (_key: string) => ({ rotations: 0 }),
  persistence: { collection: 'cookies' },
  passivation: { idleAfterMs: 1_000 },
  handlers: {
    schedule: async ({ name, afterMs, everyMs, jitterMs, save }, ctx) => {
      const schedule = everyMs !== undefined ? { everyMs, ...(jitterMs === undefined ? {} : { jitterMs }) } : { afterMs: afterMs ?? 0 };
      ctx.remind(name, schedule, { type: 'rotate', payload: { note: name } });
      if (save) await ctx.save();
    },
    cancel: ({ name }, ctx) => ctx.cancelReminder(name),
    list: (_p, ctx) => ctx.reminders(),
    rotate: ({ note, firing }, ctx) => {
      ctx.state.rotations += 1;
      fired.push({ key: ctx.key, id: firing.id, scheduledAt: firing.scheduledAt, at: ctx.clock.now(), note });
    },
    failing: () => {
      throw new Error('not yet');
    },
  },
});

/** Runs the virtual clock forward in steps, letting turns and commits settle between them. */
async function run(clock: VirtualClock, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await flush();
    clock.advance(Math.min(step, ms - t));
  }
  await flush();
}

describe('durable reminders', () => {
  const systems: ActorSystem[] = [];
  const open = (clock: Clock, store: MemoryStore, withService = true): ActorSystem => {
    const system = new ActorSystem({
      clock,
      persistence: new Persistence(store, { closeStore: false }),
      ...(withService ? { reminders: { actors: [Cookie], maxSleepMs: 1_000 } } : {}),
    });
    systems.push(system);
    return system;
  };
  afterEach(async () => {
    for (const system of systems.splice(0)) await shutdown(system);
    fired.length = 0;
  });

  it('delivers the message with a firing id and its scheduled time, lists and cancels', async () => {
    const clock = new VirtualClock(10_000);
    const system = open(clock, new MemoryStore({ clock }));
    const cookie = system.ref(Cookie, 'c1');
    await cookie.ask('schedule', { name: 'soon', afterMs: 500 });
    await cookie.ask('schedule', { name: 'never', afterMs: 700 });
    expect((await cookie.ask('list', {})).map((r) => [r.name, r.dueAt])).toEqual([['soon', 10_500], ['never', 10_700]]);
    await cookie.ask('cancel', { name: 'never' });
    await run(clock, 2_000);
    expect(fired).toEqual([{ key: 'c1', id: 'soon@10500', scheduledAt: 10_500, at: 10_500, note: 'soon' }]);
    expect(await cookie.ask('list', {})).toEqual([]);
  });

  it('fires for a passivated actor, activating it, and does not keep it alive', async () => {
    const clock = new VirtualClock();
    const system = open(clock, new MemoryStore({ clock }));
    const stops: string[] = [];
    system.events.on('actor.stopped', ({ key, reason }) => stops.push(`${key}:${reason}`));
    await system.ref(Cookie, 'sleepy').ask('schedule', { name: 'wake', afterMs: 10_000 });
    await run(clock, 5_000);
    expect(stops).toEqual(['sleepy:passivated']);
    expect(fired).toEqual([]);
    await run(clock, 6_000);
    expect(fired.map((f) => f.key)).toEqual(['sleepy']);
    expect(system.peekState(system.ref(Cookie, 'sleepy'))).toEqual({ rotations: 1 });
  });

  it('is written in the same commit as the turn state, or not at all', async () => {
    const clock = new VirtualClock();
    const store = new MemoryStore({ clock });
    const system = open(clock, store);
    const cookie = system.ref(Cookie, 'c2');
    const commitsBefore = store.commitCount;
    await cookie.ask('schedule', { name: 'with-state', afterMs: 100_000, save: true });
    expect(store.commitCount - commitsBefore).toBe(1);
    expect(store.read('cookies', 'c2')).toBeDefined();
    store.failNextCommit();
    await expect(cookie.ask('schedule', { name: 'lost', afterMs: 100_000, save: true })).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
    await run(clock, 1_000); // the supervisor restarts the actor from its last durable state
    expect((await cookie.ask('list', {})).map((r) => r.name)).toEqual(['with-state']);
    // A turn that does not save commits its reminder on its own before it replies.
    await cookie.ask('schedule', { name: 'alone', afterMs: 100_000 });
    expect((await store.query('steward.reminders')).length).toBe(2);
  });

  it('after downtime catches a repeating reminder up once, then keeps its schedule', async () => {
    const clock = new VirtualClock(0);
    const store = new MemoryStore({ clock });
    const first = open(clock, store);
    await first.ref(Cookie, 'r').ask('schedule', { name: 'tick', everyMs: 1_000 });
    await run(clock, 2_050);
    expect(fired.map((f) => f.scheduledAt)).toEqual([1_000, 2_000]);
    await shutdown(first);
    // Down for ten intervals: the time moves on without a system.
    clock.advance(10_000);
    fired.length = 0;
    open(clock, store);
    await run(clock, 1_500);
    // Ten missed firings become one, delivered as soon as the service is back; the next keeps the old rhythm.
    expect(fired.map((f) => f.scheduledAt)).toEqual([3_000, 13_000]);
    expect(fired[0]?.at).toBeGreaterThanOrEqual(12_050);
    expect((fired[1]?.at ?? Infinity) - 13_000).toBeLessThan(200);
  });

  it('notices a wall-clock jump forward within maxSleepMs, and a jump back fires nothing early', async () => {
    const virtual = new VirtualClock(0);
    let offset = 0;
    const clock: Clock = { now: () => virtual.now() + offset, monotonic: () => virtual.monotonic(), setTimer: (ms, cb) => virtual.setTimer(ms, cb), clearTimer: (h) => virtual.clearTimer(h) };
    const system = open(clock, new MemoryStore({ clock }));
    await system.ref(Cookie, 'j').ask('schedule', { name: 'in-an-hour', afterMs: 3_600_000 });
    await run(virtual, 2_000);
    offset += 3_600_000; // NTP steps the wall clock an hour ahead
    await run(virtual, 1_100);
    expect(fired.map((f) => f.note)).toEqual(['in-an-hour']);
    await system.ref(Cookie, 'j').ask('schedule', { name: 'in-10s', afterMs: 10_000 });
    offset -= 60_000; // and a minute back: the reminder is due at its wall-clock time, no earlier
    await run(virtual, 65_000, 1_000);
    expect(fired.map((f) => f.note)).toEqual(['in-an-hour']);
    await run(virtual, 7_000, 1_000);
    expect(fired.map((f) => f.note)).toEqual(['in-an-hour', 'in-10s']);
    expect(fired[1]?.at).toBeGreaterThanOrEqual(fired[1]?.scheduledAt ?? Infinity);
  });

  it('retries a delivery whose handler throws, with the same firing id', async () => {
    const clock = new VirtualClock();
    const store = new MemoryStore({ clock });
    const system = open(clock, store);
    const crashes: string[] = [];
    system.events.on('actor.crashed', ({ key }) => crashes.push(key));
    const Flaky = defineActor({
      name: 'flaky',
      messages: { arm: z.object({}), ping: z.object({ firing: reminderFiring }) },
      initialState: (_key: string) => ({ tries: [] as string[] }),
      supervision: { strategy: 'resume' },
      handlers: {
        arm: (_p, ctx) => ctx.remind('ping', { afterMs: 100 }, { type: 'ping', payload: {} }),
        ping: ({ firing }, ctx) => {
          ctx.state.tries.push(firing.id);
          if (ctx.state.tries.length < 3) throw new Error('not yet');
        },
      },
    });
    const flaky = system.ref(Flaky, 'f');
    await flaky.ask('arm', {});
    await run(clock, 10_000);
    expect(system.peekState(flaky)?.tries).toEqual(['ping@100', 'ping@100', 'ping@100']);
    expect(crashes).toEqual(['f', 'f']);
    expect(await store.query('steward.reminders')).toEqual([]);
  });

  it('10,000 actors each with a reminder: after a restart, every one fires exactly once', async () => {
    const clock = new VirtualClock(0);
    const store = new MemoryStore({ clock });
    const first = open(clock, store);
    await Promise.all(Array.from({ length: 10_000 }, (_, i) => first.ref(Cookie, `k${i}`).ask('schedule', { name: 'once', afterMs: 5_000 + (i % 100) })));
    await shutdown(first);
    expect(fired).toEqual([]);
    clock.advance(60_000);
    const second = open(clock, store);
    for (let i = 0; i < 200 && fired.length < 10_000; i++) await run(clock, 100);
    await run(clock, 5_000);
    expect(fired.length).toBe(10_000);
    expect(new Set(fired.map((f) => f.key)).size).toBe(10_000);
    expect(await store.query('steward.reminders')).toEqual([]);
    expect(second.liveActors).toBeLessThanOrEqual(10_001);
  });

  it('refuses a bad schedule with ERR_INVALID_CONFIG and writes nothing', async () => {
    const clock = new VirtualClock();
    const store = new MemoryStore({ clock });
    const system = open(clock, store);
    await expect(system.ref(Cookie, 'bad').ask('schedule', { name: 'x', everyMs: 0 })).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED', cause: { code: 'ERR_INVALID_CONFIG' } });
    expect(await store.query('steward.reminders')).toEqual([]);
  });
});
