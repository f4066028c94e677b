/**
 * Single ownership across nodes, proven under the simulator (the real
 * multi-process tests prove it on PostgreSQL): two node systems in one world
 * on one store and one lease table, a node frozen past its lease, a node
 * killed, idle actors passivating and releasing their leases; and the same
 * with each node's real router forwarding actor messages to their owner.
 */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCENARIOS } from '../../src/cli/scenario-registry.js';
import { CLUSTER_SCENARIOS } from '../../src/cluster/ownership-scenario.js';
import { checkDeterminism, expectNoViolations, explore, replay, replayLine } from '../scenario/fixtures/harness.js';
import { unfencedOwnership } from './fixtures/unfenced-ownership.js';

const [fenced, routed] = CLUSTER_SCENARIOS;

describe('cluster ownership under the simulator', () => {
  it('cluster-ownership: 10,000 schedules, no violation, and the frozen node\'s late writes are refused in some of them', async () => {
    const report = await expectNoViolations(fenced, { schedules: 10_000 });
    expect(report.schedules).toBe(10_000);
    const totals = report.summaries.reduce((sum, { fenced: refused, accepted }) => ({ fenced: sum.fenced + refused, accepted: sum.accepted + accepted }), { fenced: 0, accepted: 0 });
    // Not vacuous: stale writes happened and were refused (ERR_FENCED), and fenced writes were accepted.
    expect(totals.fenced).toBeGreaterThan(0);
    expect(totals.accepted).toBeGreaterThan(0);
  }, 900_000);

  it('ownership without fencing: the simulator finds a write accepted under a stale token, and replays it', async () => {
    const report = await explore(unfencedOwnership, { schedules: 1_000 });
    const failing = report.violations[0];
    expect(failing?.violation?.name).toBe('one node per token, tokens increasing, no stale write accepted');
    expect(failing?.violation?.message).toMatch(/under token \d+ was accepted after its lease was gone/);
    const again = await replay(unfencedOwnership, replayLine(failing!));
    expect(again.violation).toEqual(failing?.violation);
  }, 120_000);

  it("cluster-forwarding: 3,000 schedules of clerks relaying through each node's real router, no violation, and actor asks were forwarded to the account's owner", async () => {
    const report = await expectNoViolations(routed, { schedules: 3_000 });
    expect(report.schedules).toBe(3_000);
    const forwarded = report.summaries.filter(({ forwardedApplies }) => forwardedApplies > 0).length;
    // Not vacuous: in a good share of schedules a clerk's ctx.ref ask crossed to the other node.
    expect(forwarded).toBeGreaterThan(300);
    expect(report.summaries.reduce((sum, { fenced: refused }) => sum + refused, 0)).toBeGreaterThan(0);
  }, 900_000);

  it('is deterministic: a seed is one run', async () => {
    expect(await checkDeterminism(fenced, [1, 2, 3, 4, 5, 6])).toEqual([]);
    expect(await checkDeterminism(routed, [1, 2, 3, 4, 5, 6])).toEqual([]);
  });

  it('is registered for steward simulate', () => {
    expect(BUILT_IN_SCENARIOS.get(fenced.name)).toBe(fenced);
    expect(BUILT_IN_SCENARIOS.get(routed.name)).toBe(routed);
  });
});
