import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ActorSystem, AskTimeoutError, defineActor, VirtualClock, type RuntimeEvents } from '../../src/index.js';
import type { StopInfo } from '../../src/runtime/index.js';
import { MemoryStore, Persistence } from '../../src/persistence/index.js';
import { InProcessPool, PiscinaPool } from '../../src/pools/index.js';
import { openGate, squareTask } from '../fixtures/tasks/definitions.js';
import { flush } from '../fixtures/flush.js';
import { shutdown } from '../fixtures/shutdown.js';

let system: ActorSystem | undefined;
afterEach(async () => {
  await shutdown(system);
  system = undefined;
});

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('exact timers (issue 10 item 3)', () => {
  const blocker = { current: gate() };
  const Timed = defineActor({
    name: 'timed',
    messages: { arm: z.object({ ms: z.number(), repeat: z.boolean() }), block: z.object({}), cancel: z.object({}), rearm: z.object({}), tick: z.object({ n: z.number() }), ticks: z.object({}), has: z.object({}), fail: z.object({}) },
    initialState: (_key: string) => ({ ticks: [] as number[] }),
    mailbox: { capacity: 1, overflow: 'drop-oldest' },
    supervision: { minBackoffMs: 0, jitter: 0 },
    handlers: {
      arm: ({ ms, repeat }, ctx) => ctx.startTimer('t', ms, { type: 'tick', payload: { n: 1 } }, { repeat }),
      block: () => blocker.current.promise,
      cancel: (_p, ctx) => ctx.cancelTimer('t'),
      rearm: (_p, ctx) => ctx.startTimer('t', 1_000_000, { type: 'tick', payload: { n: 2 } }),
      tick: ({ n }, ctx) => void ctx.state.ticks.push(n),
      ticks: (_p, ctx) => ctx.state.ticks,
      has: (_p, ctx) => ctx.hasTimer('t'),
      fail: () => {
        throw new Error('boom');
      },
    },
  });

  it('never delivers a tick already queued when its timer is cancelled, replaced, or lost to a restart', async () => {
    const clock = new VirtualClock();
    system = new ActorSystem({ clock, askTimeoutMs: 1_000_000 });
    const Killer = defineActor({
      name: 'tick-killer',
      messages: { arm: z.object({}), blockThen: z.object({ action: z.enum(['cancel', 'replace', 'fail']) }), tick: z.object({}), ticks: z.object({}), has: z.object({}) },
      initialState: (_key: string) => ({ ticks: 0 }),
      supervision: { minBackoffMs: 0, jitter: 0 },
      handlers: {
        arm: (_p, ctx) => ctx.startTimer('t', 10, { type: 'tick', payload: {} }),
        blockThen: async ({ action }, ctx) => {
          await blocker.current.promise; // meanwhile the tick fires and waits in the mailbox
          if (action === 'cancel') ctx.cancelTimer('t');
          if (action === 'replace') ctx.startTimer('t', 1_000_000, { type: 'tick', payload: {} });
          if (action === 'fail') throw new Error('boom');
        },
        tick: (_p, ctx) => void ctx.state.ticks++,
        ticks: (_p, ctx) => ctx.state.ticks,
        has: (_p, ctx) => ctx.hasTimer('t'),
      },
    });
    for (const action of ['cancel', 'replace', 'fail'] as const) {
      blocker.current = gate();
      const ref = system.ref(Killer, action);
      await ref.ask('arm', {});
      const turn = ref.ask('blockThen', { action }).catch(() => undefined);
      await flush();
      clock.advance(10);
      blocker.current.open();
      await turn;
      await flush();
      clock.advance(0); // a restart's (zero) backoff
      await flush();
      expect(await ref.ask('ticks', {})).toBe(0);
      expect(await ref.ask('has', {})).toBe(action === 'replace');
    }
  });

  for (const overflow of ['drop-oldest', 'drop-newest'] as const) {
    it(`keeps a repeating timer alive through a full ${overflow} mailbox, and hasTimer stays true only while it lives`, async () => {
      const clock = new VirtualClock();
      system = new ActorSystem({ clock, askTimeoutMs: 1_000_000 });
      blocker.current = gate();
      const ref = system.ref(overflow === 'drop-oldest' ? Timed : { ...Timed, name: 'timed-drop-newest', mailbox: { capacity: 1, overflow } }, 'repeat');
      await ref.ask('arm', { ms: 10, repeat: true });
      const blocked = ref.ask('block', {});
      await flush();
      ref.tell('ticks', {}); // fills the single user slot
      ref.tell('ticks', {}); // the policy drops one of the two: ticks are not in its reach
      clock.advance(10);
      clock.advance(10); // skipped: the previous tick still waits
      blocker.current.open();
      await blocked;
      await flush();
      clock.advance(10);
      await flush();
      expect(await ref.ask('ticks', {})).toEqual([1, 1]);
      expect(await ref.ask('has', {})).toBe(true);
      await ref.ask('cancel', {});
      expect(await ref.ask('has', {})).toBe(false);
    });
  }

  it('never delivers a tick that was queued when the actor was stopped', async () => {
    const clock = new VirtualClock();
    system = new ActorSystem({ clock, askTimeoutMs: 1_000_000 });
    blocker.current = gate();
    const handled: number[] = [];
    const Stopped = defineActor({ ...Timed, name: 'timed-stopped', handlers: { ...Timed.handlers, tick: ({ n }) => void handled.push(n) } });
    const ref = system.ref(Stopped, 'queued');
    await ref.ask('arm', { ms: 10, repeat: false });
    const blocked = ref.ask('block', {});
    await flush();
    clock.advance(10); // the tick fires and waits behind the turn in hand
    const stopped = system.stop(ref);
    blocker.current.open();
    await blocked;
    await stopped;
    await flush();
    clock.advance(100);
    await flush();
    expect(handled).toEqual([]);
  });
});

describe('outcomes are never lost (issue 10 item 4)', () => {
  // On real threads too: the reports and the outcome cross comlink from a Piscina thread while the mailbox is full.
  const pools = { 'in-process': () => new InProcessPool({ name: 'math' }), piscina: () => new PiscinaPool({ name: 'math', maxThreads: 1 }) };
  it.each(Object.keys(pools) as (keyof typeof pools)[])("a full reject mailbox still gets a task's progress reports and its outcome (%s pool)", async (kind) => {
    const hold = gate();
    const seen = { steps: [] as number[], value: undefined as number | undefined };
    const Worker = defineActor({
      name: 'task-owner',
      messages: { start: z.object({ gate: z.instanceof(SharedArrayBuffer) }), progress: z.object({ step: z.number() }), done: z.object({ value: z.number() }), block: z.object({}), read: z.object({}) },
      initialState: (_key: string) => ({}),
      mailbox: { capacity: 1, overflow: 'reject' },
      handlers: {
        start: ({ gate: taskGate }, ctx) =>
          ctx.startTask('math', squareTask, { n: 7, steps: 3, gate: taskGate }, {
            toMessage: (outcome) => ({ type: 'done', payload: { value: outcome.ok ? outcome.value : -1 } }),
            onProgress: (step) => ({ type: 'progress', payload: { step } }),
          }),
        progress: ({ step }) => void seen.steps.push(step),
        done: ({ value }) => void (seen.value = value),
        block: () => hold.promise,
        read: () => undefined,
      },
    });
    system = new ActorSystem({ pools: { math: pools[kind]() } });
    const ref = system.ref(Worker, 'w');
    const taskGate = new SharedArrayBuffer(4);
    await ref.ask('start', { gate: taskGate });
    const blocked = ref.ask('block', {});
    await flush();
    ref.tell('read', {}); // the one slot is full
    expect(() => ref.tell('read', {})).toThrow(expect.objectContaining({ code: 'ERR_MAILBOX_FULL' }));
    openGate(taskGate); // progress and outcome arrive while the mailbox is full
    for (let round = 0; round < 50; round++) await new Promise((resolve) => setImmediate(resolve));
    hold.open();
    await blocked;
    await vi.waitFor(() => expect(seen).toEqual({ steps: [1, 2, 3], value: 49 }), { timeout: 10_000 }); // the module's first import is real I/O
  });

  it('a full reject mailbox still gets the outcome of a piped promise', async () => {
    const work = gate();
    const hold = gate();
    const Piper = defineActor({
      name: 'piper',
      messages: { start: z.object({}), done: z.object({ ok: z.boolean() }), block: z.object({}), result: z.object({}) },
      initialState: (_key: string) => ({ done: false }),
      mailbox: { capacity: 1, overflow: 'reject' },
      handlers: {
        start: (_p, ctx) => ctx.pipe(work.promise, (outcome) => ({ type: 'done', payload: { ok: outcome.ok } })),
        done: (_p, ctx) => void (ctx.state.done = true),
        block: () => hold.promise,
        result: (_p, ctx) => ctx.state.done,
      },
    });
    system = new ActorSystem();
    const ref = system.ref(Piper, 'p');
    await ref.ask('start', {});
    const blocked = ref.ask('block', {});
    await flush();
    ref.tell('result', {}); // the one slot is full
    expect(() => ref.tell('result', {})).toThrow(expect.objectContaining({ code: 'ERR_MAILBOX_FULL' }));
    work.open(); // the outcome arrives while the mailbox is full
    await flush();
    hold.open();
    await blocked;
    await flush();
    expect(await ref.ask('result', {})).toBe(true);
  });
});

describe('explicit lifecycle (issue 10 item 5)', () => {
  it('system.stop waits for the turn in hand before onStop runs', async () => {
    const order: string[] = [];
    const turn = gate();
    const Slow = defineActor({
      name: 'slow-stop',
      messages: { work: z.object({}) },
      initialState: (_key: string) => ({}),
      handlers: {
        work: async () => {
          await turn.promise;
          order.push('turn done');
        },
      },
      onStop: () => void order.push('onStop'),
    });
    system = new ActorSystem();
    const ref = system.ref(Slow, 's');
    const work = ref.ask('work', {});
    await flush();
    const stopped = system.stop(ref);
    await flush();
    expect(order).toEqual([]);
    turn.open();
    await work;
    await stopped;
    expect(order).toEqual(['turn done', 'onStop']);
  });

  it('tells onStop whether the state can be trusted: not after a crash', async () => {
    const infos: Array<[string, StopInfo]> = [];
    const Fragile = defineActor({
      name: 'fragile',
      messages: { fail: z.object({}), ok: z.object({}) },
      initialState: (_key: string) => ({}),
      supervision: { strategy: 'stop' },
      handlers: {
        fail: () => {
          throw new Error('boom');
        },
        ok: () => 'ok',
      },
      onStop: (_ctx, reason, info) => void infos.push([reason, info]),
    });
    system = new ActorSystem();
    await system.ref(Fragile, 'a').ask('fail', {}).catch(() => undefined);
    await system.ref(Fragile, 'b').ask('ok', {});
    await system.stop(system.ref(Fragile, 'b'));
    await flush();
    expect(infos).toEqual([
      ['failed', { stateTrusted: false }],
      ['stopped', { stateTrusted: true }],
    ]);
  });

  it('a save that resolves after a restart does not move the new incarnation onto its revision', async () => {
    const releases: Array<() => void> = [];
    let gated = false;
    const store = new MemoryStore({ gate: (release) => (gated ? releases.push(release) : release()) });
    const persistence = new Persistence(store);
    const Saver = defineActor({
      name: 'saver',
      messages: { slowSave: z.object({ n: z.number() }), fail: z.object({}), save: z.object({ n: z.number() }), get: z.object({}) },
      initialState: (_key: string) => ({ n: 0 }),
      persistence: { collection: 'savers' },
      supervision: { minBackoffMs: 0, jitter: 0 },
      handlers: {
        slowSave: ({ n }, ctx) => {
          ctx.state.n = n;
          ctx.pipe(ctx.save(), () => ({ type: 'get', payload: {} }));
        },
        fail: () => {
          throw new Error('boom');
        },
        save: async ({ n }, ctx) => {
          ctx.state.n = n;
          await ctx.save();
        },
        get: (_p, ctx) => ctx.state.n,
      },
    });
    system = new ActorSystem({ persistence });
    const ref = system.ref(Saver, 'k');
    await ref.ask('save', { n: 1 }); // revision 1
    gated = true;
    await ref.ask('slowSave', { n: 2 }); // in flight: will be revision 2
    await ref.ask('fail', {}).catch(() => undefined); // restart reloads revision 1 (n = 1)
    await flush();
    expect(await ref.ask('get', {})).toBe(1);
    gated = false;
    for (const release of releases) release(); // revision 2 lands after the reload
    await flush();
    // The reloaded incarnation still holds revision 1: its save must conflict, not overwrite n = 2 blindly.
    await expect(ref.ask('save', { n: 3 })).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED', cause: { code: 'ERR_REVISION_CONFLICT' } });
  });

  it('shutdown cancels a restart backoff instead of waiting out its deadline on it', async () => {
    const Crashy = defineActor({
      name: 'crashy',
      messages: { fail: z.object({}) },
      initialState: (_key: string) => ({}),
      supervision: { minBackoffMs: 60_000, jitter: 0 },
      handlers: {
        fail: () => {
          throw new Error('boom');
        },
      },
    });
    const clock = new VirtualClock();
    system = new ActorSystem({ clock });
    await system.ref(Crashy, 'c').ask('fail', {}).catch(() => undefined);
    let done = false;
    const report = system.shutdown({ deadlineMs: 10_000 });
    void report.then(() => (done = true));
    await flush(20);
    expect(done).toBe(true); // no virtual time had to pass
    expect((await report).timedOut).toBe(false);
  });
});

describe('identity (issue 10 item 8)', () => {
  const Echo = (name: string) =>
    defineActor({
      name,
      messages: { set: z.object({ v: z.string() }), get: z.object({}) },
      initialState: (_key: string) => ({ v: '' }),
      handlers: { set: ({ v }, ctx) => void (ctx.state.v = v), get: (_p, ctx) => `${ctx.key}=${ctx.state.v}` },
    });

  it('type billing key invoice/42 and type billing/invoice key 42 are different actors', async () => {
    system = new ActorSystem();
    const a = system.ref(Echo('billing'), 'invoice/42');
    const b = system.ref(Echo('billing/invoice'), '42');
    await a.ask('set', { v: 'a' });
    await b.ask('set', { v: 'b' });
    expect(await a.ask('get', {})).toBe('invoice/42=a');
    expect(await b.ask('get', {})).toBe('42=b');
    expect(system.liveActors).toBe(2);
  });

  it('keys with slashes, colons, empty parts and unicode are each their own actor', async () => {
    system = new ActorSystem();
    const T = Echo('t');
    const keys = ['a/b', 'a//b', '/a', 'a/', ':', '1:t/a', 'a:b', 'ключ', '🔑/x', 'a'];
    for (const key of keys) await system.ref(T, key).ask('set', { v: key });
    for (const key of keys) expect(await system.ref(T, key).ask('get', {})).toBe(`${key}=${key}`);
    expect(system.liveActors).toBe(keys.length);
  });
});

describe('only declared handlers run (issue 10 item 9)', () => {
  it('toString, constructor and hasOwnProperty through a trusted ref are unknown types', async () => {
    const Plain = defineActor({ name: 'plain', messages: { get: z.object({}) }, initialState: (_key: string) => ({}), handlers: { get: () => 1 } });
    system = new ActorSystem();
    const crashes: unknown[] = [];
    system.events.on('actor.crashed', (event) => crashes.push(event));
    const ref = system.ref(Plain, 'p', { trusted: true }) as unknown as { ask(type: string, payload: unknown): Promise<unknown> };
    for (const type of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf']) {
      await expect(ref.ask(type, {})).rejects.toMatchObject({ code: 'ERR_INVALID_MESSAGE' });
    }
    expect(crashes).toEqual([]);
    expect(await ref.ask('get', {})).toBe(1);
  });
});

describe('bounded bookkeeping and honest closing (issue 10 item 10)', () => {
  const Counter = defineActor({
    name: 'bk-counter',
    messages: { get: z.object({}), hang: z.object({}) },
    initialState: (_key: string) => ({}),
    handlers: { get: () => 1, hang: () => new Promise<void>(() => {}) },
  });
  const Watching = defineActor({
    name: 'bk-watcher',
    messages: { watch: z.object({ key: z.string() }) },
    initialState: (_key: string) => ({}),
    handlers: { watch: ({ key }, ctx) => ctx.watch(ctx.ref(Counter, key)) },
  });

  it('forgets the oldest tombstones past maxTombstones', async () => {
    system = new ActorSystem({ maxTombstones: 3 });
    for (const key of ['a', 'b', 'c', 'd']) await system.stop(system.ref(Counter, key));
    expect(await system.ref(Counter, 'a').ask('get', {})).toBe(1); // forgotten: spawned afresh
    await expect(system.ref(Counter, 'd').ask('get', {})).rejects.toMatchObject({ code: 'ERR_ACTOR_STOPPED' });
  });

  it('removes the watches of a watcher that stops for good', async () => {
    const notices: unknown[] = [];
    system = new ActorSystem();
    system.events.on('actor.crashed', (event) => notices.push(event));
    const watcher = system.ref(Watching, 'w');
    for (let i = 0; i < 5; i++) await watcher.ask('watch', { key: `t${i}` });
    await system.stop(watcher);
    const stopped: RuntimeEvents['dead.letter'][] = [];
    system.events.on('dead.letter', (event) => stopped.push(event));
    for (let i = 0; i < 5; i++) await system.stop(system.ref(Counter, `t${i}`));
    await flush();
    expect(stopped).toEqual([]); // no notice left to deliver to the stopped watcher
  });

  it('reports a crash in onTerminated as such, not as a failed start', async () => {
    const Watcher = defineActor({
      name: 'bad-watcher',
      messages: { watch: z.object({ key: z.string() }) },
      initialState: (_key: string) => ({}),
      supervision: { strategy: 'resume' },
      handlers: { watch: ({ key }, ctx) => ctx.watch(ctx.ref(Counter, key)) },
      onTerminated: () => {
        throw new Error('watcher broke');
      },
    });
    system = new ActorSystem();
    const crashes: RuntimeEvents['actor.crashed'][] = [];
    system.events.on('actor.crashed', (event) => crashes.push(event));
    await system.ref(Watcher, 'w').ask('watch', { key: 'x' });
    await system.stop(system.ref(Counter, 'x'));
    await flush();
    expect(crashes.map((event) => event.messageType)).toEqual(['onTerminated']);
  });

  it('ERR_ASK_TIMEOUT says whether the message was handled: false if never taken, unknown once taken', async () => {
    const clock = new VirtualClock();
    system = new ActorSystem({ clock });
    const ref = system.ref(Counter, 'h');
    const taken = ref.ask('hang', {}, { timeoutMs: 10 });
    const queued = ref.ask('get', {}, { timeoutMs: 10 });
    await flush();
    clock.advance(10);
    const [first, second] = await Promise.all([taken.catch((error: unknown) => error), queued.catch((error: unknown) => error)]);
    expect(first).toBeInstanceOf(AskTimeoutError);
    expect((first as AskTimeoutError).handled).toBe('unknown');
    expect((second as AskTimeoutError).handled).toBe(false);
  });

  it('bounds the persistence close by the shutdown deadline', async () => {
    const clock = new VirtualClock();
    const hungPersistence = { get: async () => undefined, query: async () => [], commit: async () => ({ revisions: [], sequence: 0 }), close: () => new Promise<void>(() => {}) };
    system = new ActorSystem({ clock, persistence: hungPersistence });
    const report = await shutdown(system, 100);
    expect(report?.timedOut).toBe(false);
  });
});

describe('a narrow state port (issue 12)', () => {
  const Owner = defineActor({
    name: 'owner',
    messages: { clobber: z.object({ key: z.string() }), saveWith: z.object({ key: z.string(), expected: z.number().optional() }), note: z.object({}) },
    initialState: (_key: string) => ({ n: 1 }),
    persistence: { collection: 'owners' },
    handlers: {
      clobber: ({ key }, ctx) => ctx.persistence.commit([{ op: 'put', collection: 'owners', key, value: { n: 666 } }]),
      saveWith: ({ key, expected }, ctx) =>
        ctx.save([{ op: 'put', collection: 'owners', key, value: { n: 666 }, ...(expected === undefined ? {} : { expectedRevision: expected }) }]),
      note: (_p, ctx) => ctx.save([{ op: 'put', collection: 'notes', key: ctx.key, value: 'free-form' }]),
    },
  });

  it("refuses a blind write over another actor's state record, and keeps reads open", async () => {
    const persistence = new Persistence(new MemoryStore());
    system = new ActorSystem({ persistence });
    await system.ref(Owner, 'victim').ask('note', {});
    const attacker = system.ref(Owner, 'attacker');
    for (const attempt of [attacker.ask('clobber', { key: 'victim' }), attacker.ask('saveWith', { key: 'victim' }), attacker.ask('saveWith', { key: 'attacker' })]) {
      await expect(attempt).rejects.toMatchObject({ cause: { code: 'ERR_STATE_WRITE_REFUSED' } });
    }
    expect((await persistence.get('owners', 'victim'))?.value).toEqual({ n: 1 });
    await expect(attacker.ask('saveWith', { key: 'victim', expected: 1 })).resolves.toBeDefined(); // named explicitly, with its revision
  });
});

describe('revive (issue 12: service-safe defaults)', () => {
  it('lifts the final stop of a key the restart limit stopped', async () => {
    const Flaky = defineActor({
      name: 'flaky-revive',
      messages: { fail: z.object({}), ok: z.object({}) },
      initialState: (_key: string) => ({}),
      supervision: { maxRestarts: 0 },
      handlers: {
        fail: () => {
          throw new Error('boom');
        },
        ok: () => 'ok',
      },
    });
    system = new ActorSystem();
    const ref = system.ref(Flaky, 'k');
    await ref.ask('fail', {}).catch(() => undefined);
    await flush();
    await expect(ref.ask('ok', {})).rejects.toMatchObject({ code: 'ERR_ACTOR_STOPPED' });
    expect(system.revive(ref)).toBe(true);
    expect(await ref.ask('ok', {})).toBe('ok');
  });
});
