/**
 * The runtime's ownership port, seen from the runtime: an entity is claimed
 * before its actor loads or starts, a refused claim activates nothing, every
 * write carries the claim's fence, the fence is released when the actor
 * stops, and the port can deactivate a live actor. The port here is a
 * hand-written one that grants or refuses as the test says (the real one,
 * on leases, is exercised in forwarding.test.ts and nodes.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, type CommitOptions, type Fence, type OwnershipControl, type OwnershipPort, type StatePort } from '../../src/index.js';
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
});
