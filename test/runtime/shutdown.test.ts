import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, MailboxFullError, SystemStoppedError, VirtualClock, type RuntimeEvents } from '../../src/index.js';
import { Counter } from '../fixtures/counter.js';
import { flush } from '../fixtures/flush.js';
import { shutdown } from '../fixtures/shutdown.js';

let stuckRelease: (() => void) | undefined;
const Stuck = defineActor({
  name: 'stuck',
  messages: { hang: z.object({}), add: z.object({}) },
  initialState: (_key: string) => ({ count: 0 }),
  handlers: {
    hang: () => new Promise<void>((resolve) => (stuckRelease = resolve)),
    add: (_p, ctx) => ++ctx.state.count,
  },
});

function deadLetters(system: ActorSystem): RuntimeEvents['dead.letter'][] {
  const dead: RuntimeEvents['dead.letter'][] = [];
  system.events.on('dead.letter', (event) => dead.push(event));
  return dead;
}

describe('shutdown', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    stuckRelease?.();
    await shutdown(system);
    system = undefined;
  });

  it('drains mailboxes, runs stop hooks and refuses new work', async () => {
    const stopped: string[] = [];
    const Hooked = defineActor({ ...Counter, name: 'hooked', onStop: (ctx, reason) => void stopped.push(`${ctx.key}:${reason}`) });
    system = new ActorSystem();
    const a = system.ref(Hooked, 'a');
    const replies = Array.from({ length: 100 }, () => a.ask('slowAdd', { by: 1 }));
    const report = await system.shutdown({ deadlineMs: 5_000 });
    expect(await Promise.all(replies)).toHaveLength(100);
    expect(report).toEqual({ stopped: 1, abandoned: 0, timedOut: false });
    expect(stopped).toEqual(['a:shutdown']);
    expect(() => a.tell('add', { by: 1 })).toThrow(SystemStoppedError);
    await expect(system.ref(Hooked, 'new').ask('get', {})).rejects.toMatchObject({ code: 'ERR_SYSTEM_STOPPED' });
    expect(system.liveActors).toBe(0);
  });

  it('abandons a stuck handler at the deadline: queued messages become dead letters', async () => {
    const clock = new VirtualClock();
    system = new ActorSystem({ clock, askTimeoutMs: 1_000_000 });
    const dead = deadLetters(system);
    const stuck = system.ref(Stuck, 's');
    const inHand = stuck.ask('hang', {});
    const queued = [stuck.ask('add', {}), stuck.ask('add', {})];
    await flush();
    const report = system.shutdown({ deadlineMs: 1_000 });
    await flush();
    clock.advance(1_000);
    expect(await report).toEqual({ stopped: 1, abandoned: 2, timedOut: true });
    await expect(inHand).rejects.toBeInstanceOf(SystemStoppedError);
    for (const reply of queued) await expect(reply).rejects.toMatchObject({ code: 'ERR_SYSTEM_STOPPED' });
    expect(dead).toEqual([
      { type: 'stuck', key: 's', messageType: 'add', reason: 'shutdown' },
      { type: 'stuck', key: 's', messageType: 'add', reason: 'shutdown' },
    ]);
  });

  it("refuses outside messages once shutdown begins, while the actors' own messages still flow", async () => {
    let release!: () => void;
    const hops: number[] = [];
    const Relay = defineActor({
      name: 'relay',
      messages: { begin: z.object({}), hop: z.object({ n: z.number() }), add: z.object({}) },
      initialState: (_key: string) => ({ hops: 0 }),
      handlers: {
        begin: (_p, ctx) => new Promise<void>((resolve) => (release = resolve)).then(() => ctx.self.tell('hop', { n: 1 })),
        hop: ({ n }, ctx) => {
          ctx.state.hops = n;
          hops.push(n);
          if (n < 3) ctx.self.tell('hop', { n: n + 1 });
        },
        add: () => undefined,
      },
    });
    system = new ActorSystem();
    const relay = system.ref(Relay, 'r');
    relay.tell('begin', {});
    await flush();
    const report = system.shutdown({ deadlineMs: 5_000 });
    expect(() => relay.tell('add', {})).toThrowErrorMatchingInlineSnapshot(`[SystemStoppedError: system is shutting-down: 'add' to relay/r was not delivered]`);
    release();
    expect(await report).toEqual({ stopped: 1, abandoned: 0, timedOut: false });
    expect(hops).toEqual([1, 2, 3]);
  });

  it('supports await using', async () => {
    let outer: ActorSystem;
    {
      await using scoped = new ActorSystem();
      outer = scoped;
      await scoped.ref(Counter, 'x').ask('add', { by: 1 });
    }
    expect(outer.running).toBe(false);
    expect(outer.liveActors).toBe(0);
  });
});

describe('overflow and dead letters through the system', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    stuckRelease?.();
    await shutdown(system);
    system = undefined;
  });

  for (const overflow of ['reject', 'drop-oldest', 'drop-newest'] as const) {
    it(`${overflow}: a full mailbox behaves as its policy says`, async () => {
      system = new ActorSystem({ askTimeoutMs: 1_000_000 });
      const dead = deadLetters(system);
      const overflows: RuntimeEvents['mailbox.overflow'][] = [];
      system.events.on('mailbox.overflow', (event) => overflows.push(event));
      const Small = defineActor({ ...Stuck, name: `small-${overflow}`, mailbox: { capacity: 2, overflow } });
      const ref = system.ref(Small, 'k');
      const hanging = ref.ask('hang', {});
      await flush();
      const first = ref.ask('add', {});
      const second = ref.ask('add', {});
      const third = ref.ask('add', {});
      for (const reply of [first, second, third]) reply.catch(() => {}); // asserted below
      await flush();
      expect(overflows).toHaveLength(1);
      if (overflow === 'reject') {
        await expect(third).rejects.toBeInstanceOf(MailboxFullError);
        expect(() => ref.tell('add', {})).toThrowErrorMatchingInlineSnapshot(
          `[MailboxFullError: mailbox of small-reject/k is full (2 messages): 'add' refused]`,
        );
        expect(dead).toEqual([]);
      } else {
        const lost = overflow === 'drop-oldest' ? first : third;
        await expect(lost).rejects.toThrow(`mailbox of small-${overflow}/k is full: 'add' was dropped by its overflow policy`);
        expect(dead).toEqual([{ type: `small-${overflow}`, key: 'k', messageType: 'add', reason: 'overflow' }]);
      }
      stuckRelease?.();
      await hanging;
      const kept = overflow === 'drop-oldest' ? [second, third] : [first, second];
      expect(await Promise.all(kept)).toEqual([1, 2]);
    });
  }

  it('turns messages to a stopped actor into dead letters, without throwing on tell', async () => {
    system = new ActorSystem();
    const dead = deadLetters(system);
    const ref = system.ref(Counter, 'c');
    await system.stop(ref);
    ref.tell('add', { by: 1 });
    await expect(ref.ask('get', {})).rejects.toThrowErrorMatchingInlineSnapshot(
      `[ActorStoppedError: actor counter/c is stopped (stopped): 'get' was not handled]`,
    );
    expect(dead.map((event) => event.messageType)).toEqual(['add', 'get']);
  });

  it('dead-letters the queue of an actor stopped by ctx.stop / system.stop', async () => {
    system = new ActorSystem({ askTimeoutMs: 1_000_000 });
    const dead = deadLetters(system);
    const ref = system.ref(Stuck, 's');
    const hanging = ref.ask('hang', {});
    const queued = ref.ask('add', {});
    await flush();
    const stopped = system.stop(ref);
    await expect(queued).rejects.toMatchObject({ code: 'ERR_ACTOR_STOPPED' });
    stuckRelease?.();
    await hanging;
    await stopped;
    expect(dead).toEqual([{ type: 'stuck', key: 's', messageType: 'add', reason: 'stopped' }]);
  });
});
