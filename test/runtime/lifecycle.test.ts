import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, VirtualClock, type RuntimeEvents, type TerminatedNotice } from '../../src/index.js';
import { Counter } from '../fixtures/counter.js';
import { flush } from '../fixtures/flush.js';
import { shutdown } from '../fixtures/shutdown.js';

const Watcher = defineActor({
  name: 'watcher',
  messages: { watch: z.object({ key: z.string() }), notices: z.object({}) },
  initialState: (_key: string) => ({ notices: [] as TerminatedNotice[] }),
  handlers: {
    watch: ({ key }, ctx) => ctx.watch(ctx.ref(Counter, key)),
    notices: (_p, ctx) => ctx.state.notices,
  },
  onTerminated: (notice, ctx) => void ctx.state.notices.push(notice),
});

describe('death watch', () => {
  let system: ActorSystem;
  afterEach(async () => {
    await shutdown(system);
  });

  it('tells the watcher when the watched actor stops for good', async () => {
    system = new ActorSystem();
    const counter = system.ref(Counter, 'c');
    await counter.ask('add', { by: 1 });
    const watcher = system.ref(Watcher, 'w');
    await watcher.ask('watch', { key: 'c' });
    await system.stop(counter);
    await flush();
    expect(await watcher.ask('notices', {})).toEqual([{ type: 'counter', key: 'c', reason: 'stopped' }]);
  });

  it('tells a watcher at once when the actor is already stopped', async () => {
    system = new ActorSystem();
    await system.stop(system.ref(Counter, 'gone'));
    const watcher = system.ref(Watcher, 'w');
    await watcher.ask('watch', { key: 'gone' });
    await flush();
    expect(await watcher.ask('notices', {})).toEqual([{ type: 'counter', key: 'gone', reason: 'stopped' }]);
  });
});

describe('timers', () => {
  let system: ActorSystem;
  afterEach(async () => {
    await shutdown(system);
  });

  const Ticker = defineActor({
    name: 'ticker',
    messages: {
      every: z.object({ ms: z.number() }),
      once: z.object({ ms: z.number() }),
      tick: z.object({}),
      cancel: z.object({}),
      stop: z.object({}),
      ticks: z.object({}),
    },
    initialState: (_key: string) => ({ ticks: 0 }),
    handlers: {
      every: ({ ms }, ctx) => ctx.startTimer('t', ms, { type: 'tick', payload: {} }, { repeat: true }),
      once: ({ ms }, ctx) => ctx.startTimer('t', ms, { type: 'tick', payload: {} }),
      tick: (_p, ctx) => void ctx.state.ticks++,
      cancel: (_p, ctx) => ctx.cancelTimer('t'),
      stop: (_p, ctx) => ctx.stop(),
      ticks: (_p, ctx) => ctx.state.ticks,
    },
  });

  it('delivers single and periodic timers as messages on the injected clock', async () => {
    const clock = new VirtualClock();
    system = new ActorSystem({ clock });
    const ticker = system.ref(Ticker, 't');
    await ticker.ask('once', { ms: 100 });
    clock.advance(99);
    await flush();
    expect(await ticker.ask('ticks', {})).toBe(0);
    clock.advance(1);
    await flush();
    expect(await ticker.ask('ticks', {})).toBe(1);
    await ticker.ask('every', { ms: 10 });
    for (let i = 0; i < 5; i++) {
      clock.advance(10);
      await flush();
    }
    expect(await ticker.ask('ticks', {})).toBe(6);
    await ticker.ask('cancel', {});
    clock.advance(100);
    await flush();
    expect(await ticker.ask('ticks', {})).toBe(6);
  });

  it('never stacks ticks of a periodic timer while one is still queued', async () => {
    const clock = new VirtualClock();
    let release!: () => void;
    const Slow = defineActor({
      name: 'slow-ticker',
      messages: { start: z.object({}), tick: z.object({}), count: z.object({}) },
      initialState: (_key: string) => ({ ticks: 0 }),
      handlers: {
        start: (_p, ctx) => ctx.startTimer('poll', 10, { type: 'tick', payload: {} }, { repeat: true }),
        tick: (_p, ctx) => {
          ctx.state.ticks++;
          return ctx.state.ticks === 1 ? new Promise<void>((resolve) => (release = resolve)) : undefined;
        },
        count: (_p, ctx) => ctx.state.ticks,
      },
    });
    system = new ActorSystem({ clock });
    const slow = system.ref(Slow, 's');
    await slow.ask('start', {});
    for (let i = 0; i < 10; i++) {
      clock.advance(10); // ten intervals pass while the first tick is still running
      await flush();
    }
    release();
    await flush();
    expect(await slow.ask('count', {})).toBe(2); // the stuck one, then a single queued tick
  });

  it('delivers ticks past a full mailbox (the self lane), without throwing into the clock', async () => {
    const clock = new VirtualClock();
    let release!: () => void;
    const Busy = defineActor({
      name: 'busy-ticker',
      messages: { start: z.object({}), block: z.object({}), tick: z.object({}), count: z.object({}) },
      initialState: (_key: string) => ({ ticks: 0 }),
      mailbox: { capacity: 1, overflow: 'reject' },
      handlers: {
        start: (_p, ctx) => ctx.startTimer('t', 10, { type: 'tick', payload: {} }, { repeat: true }),
        block: () => new Promise<void>((resolve) => (release = resolve)),
        tick: (_p, ctx) => void ctx.state.ticks++,
        count: (_p, ctx) => ctx.state.ticks,
      },
    });
    system = new ActorSystem({ clock, askTimeoutMs: 1_000_000 });
    const overflows: unknown[] = [];
    system.events.on('mailbox.overflow', (event) => overflows.push(event));
    const busy = system.ref(Busy, 'b');
    await busy.ask('start', {});
    const blocked = busy.ask('block', {});
    await flush();
    busy.tell('count', {}); // fills the one slot
    expect(() => clock.advance(10)).not.toThrow();
    expect(overflows).toHaveLength(0); // a tick is not a user message: no overflow policy touches it
    release();
    await blocked;
    await flush();
    clock.advance(10);
    await flush();
    expect(await busy.ask('count', {})).toBe(2); // the tick that found the mailbox full, then the next
  });

  it('cancels timers when the actor stops', async () => {
    const clock = new VirtualClock();
    system = new ActorSystem({ clock });
    const ticker = system.ref(Ticker, 't');
    await ticker.ask('ticks', {});
    const before = clock.pendingTimers; // the asks' shared deadline timer
    await ticker.ask('every', { ms: 10 });
    expect(clock.pendingTimers).toBe(before + 1);
    await ticker.ask('stop', {});
    await flush();
    expect(clock.pendingTimers).toBe(before);
  });
});

describe('passivation', () => {
  let system: ActorSystem;
  afterEach(async () => {
    await shutdown(system);
  });

  it('stops idle actors and re-activates them transparently on the next message', async () => {
    const clock = new VirtualClock();
    system = new ActorSystem({ clock });
    const stops: RuntimeEvents['actor.stopped'][] = [];
    system.events.on('actor.stopped', (event) => stops.push(event));
    let loads = 0;
    const saved = new Map<string, number>();
    const Durable = defineActor({
      name: 'durable',
      messages: { add: z.object({}), get: z.object({}) },
      initialState: (_key: string) => ({ count: 0 }),
      load: (key) => {
        loads++;
        const count = saved.get(key);
        return count === undefined ? undefined : { count };
      },
      onStop: (ctx) => void saved.set(ctx.key, ctx.state.count),
      passivation: { idleAfterMs: 1_000 },
      handlers: {
        add: (_p, ctx) => ++ctx.state.count,
        get: (_p, ctx) => ctx.state.count,
      },
    });
    const ref = system.ref(Durable, 'd');
    await ref.ask('add', {});
    clock.advance(1_000);
    await flush();
    expect(system.liveActors).toBe(1); // touched within the first window
    clock.advance(1_000);
    await flush();
    expect(stops).toEqual([{ type: 'durable', key: 'd', reason: 'passivated' }]);
    expect(system.liveActors).toBe(0);
    expect(await ref.ask('add', {})).toBe(2); // same ref, re-activated, state reloaded
    expect(loads).toBe(2);
  });

  it('passivates the least recently used idle actors past maxLiveActors', async () => {
    system = new ActorSystem({ maxLiveActors: 2 });
    const stopped: string[] = [];
    system.events.on('actor.stopped', (event) => stopped.push(event.key));
    await system.ref(Counter, 'a').ask('add', { by: 1 });
    await system.ref(Counter, 'b').ask('add', { by: 1 });
    await system.ref(Counter, 'a').ask('add', { by: 1 }); // a is now more recent than b
    await system.ref(Counter, 'c').ask('add', { by: 1 });
    await flush();
    expect(stopped).toEqual(['b']);
    expect(system.liveActors).toBe(2);
    expect(await system.ref(Counter, 'b').ask('get', {})).toBe(0); // re-activated from initial state
  });
});
