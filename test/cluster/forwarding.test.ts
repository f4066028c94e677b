/**
 * Two cluster nodes in one process (each its own pool, lease set, registry
 * row and HTTP endpoint on loopback): a message for an entity the other
 * node owns is forwarded and answered; errors keep their codes; a malformed
 * forwarded message is refused on arrival and changes nothing; a node that
 * closes releases its leases, so the other takes its entities at once.
 */
import pg from 'pg';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { ClusterNode, Leases, PgLeaseTable } from '../../src/cluster/index.js';
import { PG_URL, skipPg } from '../persistence/pg-env.js';
import { Account, accountNodes } from './account-nodes.js';

describe.skipIf(skipPg)('forwarding between nodes', () => {
  const cluster = accountNodes();
  const pair = async () => {
    const schema = await cluster.schema();
    return { schema, a: await cluster.start(schema, 'node-a'), b: await cluster.start(schema, 'node-b') };
  };

  it('an ask on a non-owner is forwarded to the owner and answered; the entity stays where it is', async () => {
    const { a, b } = await pair();
    expect(await b.ref(Account, 'acc-1').ask('deposit', { amount: 5, by: 'ann' })).toBe(5);
    expect(await a.ref(Account, 'acc-1').ask('deposit', { amount: 7, by: 'ann' })).toBe(12);
    await a.ref(Account, 'acc-1').tell('deposit', { amount: 1, by: 'ann' });
    expect(await a.ref(Account, 'acc-1').ask('balance', {})).toBe(13);
    expect(b.owned()).toEqual([{ type: 'account', key: 'acc-1', token: 1 }]);
    expect(a.owned()).toEqual([]);
    expect(a.system.liveActors).toBe(0);
  });

  it("errors keep their codes across the wire; a malformed forward is refused on arrival with ERR_INVALID_MESSAGE and changes nothing", async () => {
    const { a, b } = await pair();
    await b.ref(Account, 'acc-1').ask('deposit', { amount: 5, by: 'ann' });
    await expect(a.ref(Account, 'acc-1').ask('deposit', { amount: 5, by: 'mallory' })).rejects.toMatchObject({ name: 'ForbiddenError', code: 'ERR_FORBIDDEN', node: 'node-b' });
    await expect(a.ref(Account, 'acc-1').ask('deposit', { amount: -1, by: 'ann' } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_MESSAGE' });
    const raw = await request(`${b.address}/steward/forward`, { method: 'POST', body: JSON.stringify({ type: 'account', key: 'acc-1', mode: 'ask' }) });
    expect(raw.statusCode).toBe(400);
    expect(await raw.body.json()).toMatchObject({ outcome: 'error', error: { code: 'ERR_INVALID_MESSAGE' } });
    const refusal = async (body: string) => {
      const answer = await request(`${b.address}/steward/forward`, { method: 'POST', body });
      return [answer.statusCode, ((await answer.body.json()) as { error: { message: string } }).error.message];
    };
    expect(await refusal('{"type": ')).toEqual([400, 'Forwarded message refused: not JSON.']);
    const huge = JSON.stringify({ type: 'account', key: 'acc-1', mode: 'tell', messageType: 'deposit', payload: { amount: 1, by: 'x'.repeat(1 << 20) } });
    expect(await refusal(huge)).toEqual([400, `Forwarded message refused: larger than ${1 << 20} bytes.`]);
    expect(await a.ref(Account, 'acc-1').ask('balance', {})).toBe(5);
  });

  it('a node that closes releases its leases: the other takes its entities with the next message, under a larger token', async () => {
    const { schema, a, b } = await pair();
    await b.ref(Account, 'acc-1').ask('deposit', { amount: 5, by: 'ann' });
    await b.close();
    expect(await a.ref(Account, 'acc-1').ask('deposit', { amount: 1, by: 'ann' })).toBe(6);
    expect(a.owned()).toEqual([{ type: 'account', key: 'acc-1', token: 2 }]);
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    try {
      const { rows } = await pool.query(`SELECT node_id FROM "${schema}".steward_nodes ORDER BY node_id`);
      expect(rows).toEqual([{ node_id: 'node-a' }]);
    } finally {
      await pool.end();
    }
  });

  it('cut off from PostgreSQL, a node deactivates its actors by its own clock before PostgreSQL could give them to another node', async () => {
    const schema = await cluster.schema();
    const pool = new pg.Pool({ connectionString: PG_URL, max: 3 });
    pool.on('error', () => undefined);
    const a = await ClusterNode.start({ pool, schema, nodeId: 'node-a', actors: [Account], leaseTtlMs: 2_000 });
    const b = await cluster.start(schema, 'node-b');
    await a.ref(Account, 'acc-1').ask('deposit', { amount: 5, by: 'ann' });
    const probe = new pg.Pool({ connectionString: PG_URL, max: 1 });
    await probe.query('SELECT 1'); // connected before the partition: the check below costs one round trip
    const deactivated = new Promise<string>((resolve) => a.system.events.on('actor.deactivated', ({ code }) => resolve(code)));
    await pool.end(); // the partition: every statement of node-a fails from now on
    expect(await deactivated).toBe('ERR_LEASE_EXPIRED');
    // At that moment PostgreSQL still has node-a's lease live: nobody else could own acc-1 yet.
    try {
      const outcome = await new Leases({ table: new PgLeaseTable({ pool: probe, schema }), node: 'node-probe', ttlMs: 1_000 }).acquire('account', 'acc-1');
      expect(outcome).toMatchObject({ held: false, owner: 'node-a' });
    } finally {
      await probe.end();
    }
    expect(a.system.liveActors).toBe(0);
    // Once it expires by PostgreSQL's clock, node-b takes acc-1 over with everything node-a acknowledged.
    expect(await b.ref(Account, 'acc-1').ask('deposit', { amount: 1, by: 'ann' })).toBe(6);
    await a.system.shutdown();
  });
});
