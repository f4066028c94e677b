/**
 * The runtime's ownership port, seen from the runtime: an entity is claimed
 * before its actor loads or starts, a refused claim activates nothing, every
 * write carries the claim's fence, the fence is released when the actor
 * stops, and the port can deactivate a live actor (only the one under a
 * given token). A port that forwards gets every message for an entity with
 * no live actor here, and the messages queued for an actor whose claim was
 * refused; an actor whose fence no longer stands as a turn would begin
 * runs no more turns. The port here is a
 * hand-written one that grants or refuses as the test says (the real one,
 * on leases, is exercised in forwarding.test.ts and nodes.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, type CommitOptions, type Fence, type OwnershipControl, type OwnershipPort, type RoutedMessage, type StatePort } from '../../src/index.js';
import { MemoryStore, Persistence, type WriteOp } from '../../src/persistence/index.js';

class ScriptedOwnership implements OwnershipPort {
  grant = true;
  token = 0;
  readonly claims: string[] = [];
  readonly released: Fence[] = [];
  control: OwnershipControl | undefined;
  async claim(type: string, key: string): Promise<Fence> {
    this.claims.push(`${type}/${key}`);
    if (!this.grant) throw Object.assign(new Error(`${type}/${key} is owned elsewhere`), { code: 'ERR_NOT_OWNER' });
    return { type, key, node: 'here', token: ++this.token };
  }
  release(fence: Fence): void {
    this.released.push(fence);
  }
  attach(control: OwnershipControl): void {
    this.control = control;
  }
}

/** Also forwards: while `here` is false, every message it is offered goes to `routed` instead of a local actor. */
class ForwardingOwnership extends ScriptedOwnership {
  here = true;
  /** Whether the fences it granted still stand (by its clock); asked before every turn. */
  standing = true;
  stands(): boolean {
    return this.standing;
  }
  readonly routed: RoutedMessage[] = [];
  forward(message: RoutedMessage): boolean {
    if (this.here) return false;
    this.routed.push(message);
    return true;
  }
}

const Echo = defineActor({
  name: 'echo',
  messages: { say: z.object({ text: z.string() }) },
  initialState: () => ({}),
  handlers: { say: ({ text }) => `here: ${text}` },
});

/** The persistence actor on a memory store, recording the fence of each commit (the memory store cannot check fences). */
function recordingPort(persistence: Persistence, fences: Array<Fence | undefined>): StatePort {
  return {
    get: (collection, key) => persistence.get(collection, key),
    query: (collection, options) => persistence.query(collection, options),
    commit: (batch: readonly WriteOp[], options?: CommitOptions) => {
      fences.push(options?.fence);
      return persistence.commit(batch);
    },
    close: () => persistence.close(),
  };
}

/** Each turn waits for `release()`, so that messages queue behind it. */
const handled: string[] = [];
let release: () => void = () => {};
const Holder = defineActor({
  name: 'holder',
  messages: { hold: z.object({ n: z.number() }) },
  initialState: () => ({}),
  handlers: {
    hold: async ({ n }) => {
      handled.push(`start ${n}`);
      await new Promise<void>((resolve) => (release = resolve));
      return n;
    },
  },
});

const starts: string[] = [];
const Counter = defineActor({
  name: 'counter',
  messages: { add: z.object({}) },
  initialState: () => ({ n: 0 }),
  persistence: { collection: 'counters' },
  onStart: (ctx) => void starts.push(ctx.key),
  handlers: {
    add: async (_payload, ctx) => {
      ctx.state.n += 1;
      await ctx.save();
      return ctx.state.n;
    },
  },
});

describe('the ownership port', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await system?.shutdown();
    system = undefined;
    starts.length = 0;
    handled.length = 0;
  });

  it('claims before activation, fences every write, releases on stop; a refused claim activates nothing', async () => {
    const ownership = new ScriptedOwnership();
    const fences: Array<Fence | undefined> = [];
    system = new ActorSystem({ persistence: recordingPort(new Persistence(new MemoryStore()), fences), ownership });
    ownership.grant = false;
    await expect(system.ref(Counter, 'c-1').ask('add', {})).rejects.toMatchObject({ code: 'ERR_ACTOR_STOPPED' });
    expect(starts).toEqual([]);
    expect(fences).toEqual([]);
    ownership.grant = true;
    expect(await system.ref(Counter, 'c-1').ask('add', {})).toBe(1);
    expect(starts).toEqual(['c-1']);
    expect(fences).toEqual([{ type: 'counter', key: 'c-1', node: 'here', token: 1 }]);
    expect(ownership.claims).toEqual(['counter/c-1', 'counter/c-1']);
    await system.stop(system.ref(Counter, 'c-1'));
    expect(ownership.released).toEqual([{ type: 'counter', key: 'c-1', node: 'here', token: 1 }]);
  });

  it('deactivates a live actor when the port says its entity is lost: an event, then the next message claims again', async () => {
    const ownership = new ScriptedOwnership();
    system = new ActorSystem({ persistence: new Persistence(new MemoryStore()), ownership });
    const events: string[] = [];
    system.events.on('actor.deactivated', ({ type, key, code }) => events.push(`${type}/${key} ${code}`));
    // Persistence on an embedded store refuses fenced writes: it cannot check them.
    await expect(system.ref(Counter, 'c-1').ask('add', {})).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED', cause: { code: 'ERR_INVALID_WRITE' } });
    await ownership.control?.deactivate('counter', 'c-1', 'ERR_LEASE_EXPIRED');
    expect(events).toEqual(['counter/c-1 ERR_LEASE_EXPIRED']);
    expect(system.liveActors).toBe(0);
    expect(ownership.released.map((fence) => fence.token)).toEqual([1]);
  });

  it('a port that forwards takes messages for entities with no live actor here: asks are answered through it, an undelivered tell is a dead letter', async () => {
    const ownership = new ForwardingOwnership();
    system = new ActorSystem({ ownership });
    const deadLetters: string[] = [];
    system.events.on('dead.letter', ({ key, messageType, reason }) => deadLetters.push(`${key} ${messageType} ${reason}`));
    expect(await system.ref(Echo, 'e-1').ask('say', { text: 'a' })).toBe('here: a'); // held here: the local actor
    ownership.here = false;
    expect(await system.ref(Echo, 'e-1').ask('say', { text: 'b' })).toBe('here: b'); // a live actor here takes it, whatever the port
    const answer = system.ref(Echo, 'e-2').ask('say', { text: 'c' });
    system.ref(Echo, 'e-2').tell('say', { text: 'd' });
    expect(ownership.routed.map(({ type, key, message, payload }) => ({ type, key, message, payload }))).toEqual([
      { type: 'echo', key: 'e-2', message: 'say', payload: { text: 'c' } },
      { type: 'echo', key: 'e-2', message: 'say', payload: { text: 'd' } },
    ]);
    const [ask, tell] = ownership.routed as [RoutedMessage, RoutedMessage];
    expect(ask.reply?.remainingMs()).toBeGreaterThan(0);
    ask.reply?.resolve('there: c');
    expect(await answer).toBe('there: c');
    expect(tell.reply).toBeUndefined();
    tell.undelivered();
    expect(deadLetters).toEqual(['e-2 say unreachable']);
    expect(system.liveActors).toBe(1);
  });

  it('an actor whose claim is refused hands its queued messages to a forwarding port instead of dead-lettering them', async () => {
    const ownership = new ForwardingOwnership();
    system = new ActorSystem({ ownership });
    ownership.grant = false; // offered as held here, refused at the claim: the lease went in between
    const answer = system.ref(Echo, 'e-1').ask('say', { text: 'a' });
    ownership.here = false;
    await expect.poll(() => ownership.routed.length).toBe(1);
    ownership.routed[0]?.reply?.resolve('there: a');
    expect(await answer).toBe('there: a');
    expect(system.liveActors).toBe(0);
  });

  it('starts no turn once its fence no longer stands: the actor is deactivated first, and that message goes ahead of those queued to the owner', async () => {
    const ownership = new ForwardingOwnership();
    system = new ActorSystem({ ownership });
    const events: string[] = [];
    system.events.on('actor.deactivated', ({ key, code }) => events.push(`${key} ${code}`));
    const ref = system.ref(Holder, 'h-1');
    const first = ref.ask('hold', { n: 1 });
    await expect.poll(() => handled).toEqual(['start 1']);
    const second = ref.ask('hold', { n: 2 });
    ref.tell('hold', { n: 3 });
    ownership.standing = false; // a node resumed after a freeze past its lease: the turn in hand ends, no later one begins
    ownership.here = false;
    release();
    expect(await first).toBe(1);
    await expect.poll(() => ownership.routed.length).toBe(2);
    expect(handled).toEqual(['start 1']);
    expect(events).toEqual(['h-1 ERR_LEASE_EXPIRED']);
    expect(ownership.routed.map(({ payload }) => payload)).toEqual([{ n: 2 }, { n: 3 }]);
    ownership.routed[0]?.reply?.resolve(2);
    expect(await second).toBe(2);
    expect(system.liveActors).toBe(0);
    expect(ownership.released.map((fence) => fence.token)).toEqual([1]);
  });

  it('deactivates only the actor activated under the token it is given', async () => {
    const ownership = new ScriptedOwnership();
    system = new ActorSystem({ ownership });
    await system.ref(Echo, 'e-1').ask('say', { text: 'a' });
    await ownership.control?.deactivate('echo', 'e-1', 'ERR_FENCED', 7); // a stale writer's token: not this actor's
    expect(system.liveActors).toBe(1);
    await ownership.control?.deactivate('echo', 'e-1', 'ERR_FENCED', 1);
    expect(system.liveActors).toBe(0);
  });
});
