/**
 * The ownership port's timers on a virtual clock over the memory lease
 * table: renewal and the own-clock check run while the node holds a lease,
 * whichever path acquired it, and an idle node sets no timer; a lease taken
 * anew (or a fenced write) deactivates the actor under the old token.
 */
import { describe, expect, it } from 'vitest';
import { LeaseOwnership, Leases, MemoryLeaseTable } from '../../src/cluster/index.js';
import { VirtualClock } from '../../src/index.js';

const TTL = 3_000;

function node(clock: VirtualClock, table: MemoryLeaseTable) {
  const leases = new Leases({ table, node: 'node-a', ttlMs: TTL, marginMs: 600, now: () => clock.monotonic() });
  const ownership = new LeaseOwnership(leases, { renewEveryMs: 1_000, checkEveryMs: 300, clock });
  const deactivated: string[] = [];
  ownership.attach({
    deactivate: async (type, key, code, token) => void deactivated.push(`${type}/${key} ${code}${token === undefined ? '' : ` @${token}`}`),
    deliver: () => Promise.resolve(undefined),
    knows: () => false,
    check: () => undefined,
  });
  ownership.start();
  return { leases, ownership, deactivated };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LeaseOwnership timers', () => {
  it('renews a lease the router acquired before the claim, and checks it by its own clock', async () => {
    const clock = new VirtualClock();
    const table = new MemoryLeaseTable(clock);
    const { leases, ownership, deactivated } = node(clock, table);
    await leases.acquire('account', 'acc-1'); // the router's path: acquire, then deliver to the actor, which claims
    await ownership.claim('account', 'acc-1');
    for (let second = 0; second < 10; second++) {
      clock.advance(1_000);
      await flush();
    }
    expect(ownership.live('account', 'acc-1')).toMatchObject({ token: 1 }); // renewed all along
    expect(deactivated).toEqual([]);
    // Cut off from the table: renewals stop, the node's own clock gives the lease up before the table would.
    table.renew = async () => [];
    for (let step = 0; step < 30 && deactivated.length === 0; step++) {
      clock.advance(100);
      await flush();
    }
    expect(deactivated).toEqual(['account/acc-1 ERR_LEASE_EXPIRED @1']);
    expect(table.live('account', 'acc-1')).toBe(true);
  });

  it('a lease taken anew over one this node let run out deactivates the actor under the old token first, and a fenced write deactivates its writer', async () => {
    const clock = new VirtualClock();
    const table = new MemoryLeaseTable(clock);
    const { ownership, deactivated } = node(clock, table);
    ownership.stop(); // no renewal and no own-clock check: the lease runs out unnoticed, as on a node frozen between two checks
    const first = await ownership.claim('account', 'acc-1');
    clock.advance(TTL + 1);
    expect(ownership.live('account', 'acc-1')).toBeUndefined();
    // The router takes the entity again (a forwarded message): a new token, and the actor under the old one must go.
    const again = await ownership.acquire('account', 'acc-1');
    expect(again).toMatchObject({ held: true, lease: { token: first.token + 1 }, replaced: { token: first.token } });
    expect(deactivated).toEqual([`account/acc-1 ERR_LEASE_EXPIRED @${first.token}`]);
    // A write the store refused under the old token deactivates whatever still runs under it, not the new lease.
    ownership.fenced(first);
    expect(deactivated.at(-1)).toBe(`account/acc-1 ERR_FENCED @${first.token}`);
    expect(ownership.live('account', 'acc-1')).toMatchObject({ token: first.token + 1 });
  });

  it('sets no timer while it holds no lease', async () => {
    const clock = new VirtualClock();
    const { ownership, leases } = node(clock, new MemoryLeaseTable(clock));
    expect(clock.pendingTimers).toBe(0);
    const fence = await ownership.claim('account', 'acc-1');
    expect(clock.pendingTimers).toBe(2);
    ownership.release(fence);
    await flush();
    expect(leases.held()).toEqual([]);
    clock.advance(1_000); // the timers see nothing held and stop
    expect(clock.pendingTimers).toBe(0);
  });
});
