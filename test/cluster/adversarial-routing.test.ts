/**
 * Attacks on cluster routing, on real nodes (two ClusterNodes in one
 * process, each its own pool, leases and HTTP endpoint, on PostgreSQL):
 * tell order while the entity's owner changes, bad forwarded input, and
 * closing nodes with forwarded asks in flight both ways.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ClusterNode, Leases, PgLeaseTable } from '../../src/cluster/index.js';
import { defineActor } from '../../src/index.js';
import { PgStore } from '../../src/persistence/index.js';
import { dropSchema, PG_URL, randomSchema, skipPg } from '../persistence/pg-env.js';
import { Ledger } from './cluster-actors.js';

/** Answers after `ms` (real time): an ask that is still in hand when its node closes. */
const Slow = defineActor({
  name: 'slow',
  messages: { wait: z.object({ ms: z.number().int() }) },
  initialState: () => ({}),
  handlers: { wait: ({ ms }) => new Promise<string>((resolve) => setTimeout(() => resolve('waited'), ms)) },
});

describe.skipIf(skipPg)('cluster routing under attack', () => {
  const nodes: ClusterNode[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    for (const close of closers.splice(0).reverse()) await close();
  });
  const schemaWithTables = async () => {
    const schema = randomSchema();
    closers.push(() => dropSchema(schema));
    await (await PgStore.open({ connectionString: PG_URL, schema, poolSize: 1 })).close();
    return schema;
  };
  const start = async (schema: string, nodeId: string) => {
    const node = await ClusterNode.start({ connectionString: PG_URL, schema, nodeId, actors: [Ledger, Slow], leaseTtlMs: 1_000 });
    nodes.push(node);
    return node;
  };
  /** A lease holder with no registered address (a node that died holding the entity): senders wait for its lease to run out. */
  const ghost = (schema: string, ttlMs: number) => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    closers.push(() => pool.end());
    return new Leases({ table: new PgLeaseTable({ pool, schema }), node: 'ghost', ttlMs });
  };

  it("a node's tells to one entity keep their order when the entity becomes local under a waiting tell", async () => {
    const schema = await schemaWithTables();
    const a = await start(schema, 'node-a');
    const dead = ghost(schema, 2_000);
    expect(await dead.acquire('ledger', 'l-1')).toMatchObject({ held: true });
    for (const n of [1, 2, 3]) a.system.ref(Ledger, 'l-1').tell('append', { n }); // queued behind each other, waiting for the ghost's lease
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first has looked the lease up and sleeps until it can have run out
    await dead.release('ledger', 'l-1'); // the entity is free now: the next look takes it here
    const asked = a.system.ref(Ledger, 'l-1').ask('entries', {}); // an ask, not queued behind the tells, takes the entity here
    await expect.poll(() => a.owned().some(({ key }) => key === 'l-1'), { timeout: 5_000 }).toBe(true);
    a.system.ref(Ledger, 'l-1').tell('append', { n: 4 }); // sent after 1, 2, 3, the entity held here: must not overtake them
    await asked;
    a.system.ref(Ledger, 'l-1').tell('append', { n: 5 }); // and after the ask has met the actor
    await expect.poll(() => a.system.ref(Ledger, 'l-1').ask('entries', {}), { timeout: 10_000 }).toHaveLength(5);
    expect(await a.system.ref(Ledger, 'l-1').ask('entries', {})).toEqual([1, 2, 3, 4, 5]);
  });

  /** POSTs `body` to the node's forwarding endpoint; the status and the parsed answer. */
  const post = async (node: ClusterNode, body: unknown) => {
    const response = await fetch(`${node.address}/steward/forward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it('a forward the node cannot deliver is refused with ERR_INVALID_MESSAGE and leaves no lease held here', async () => {
    const schema = await schemaWithTables();
    const a = await start(schema, 'node-a');
    const base = { type: 'ledger', mode: 'ask', timeoutMs: 1_000 } as const;
    const refused = { outcome: 'error', error: { code: 'ERR_INVALID_MESSAGE' } };
    expect(await post(a, { ...base, key: 'bad/1', message: 'append', payload: { n: 'one' } })).toMatchObject({ status: 200, body: refused });
    expect(await post(a, { ...base, key: 'bad/2', message: '__proto__', payload: {} })).toMatchObject({ status: 200, body: refused });
    expect(await post(a, { ...base, key: 'bad/3', message: 'constructor', payload: {} })).toMatchObject({ status: 200, body: refused });
    expect(await post(a, { ...base, key: 'bad/4 ✓', message: 'append', payload: null, mode: 'tell' })).toMatchObject({ status: 200, body: refused });
    expect(await post(a, { ...base, type: '__proto__', key: 'bad/5', message: 'append', payload: {} })).toMatchObject({ status: 200, body: refused });
    await expect(a.ref(Ledger, 'bad/6').ask('append', { n: 'six' } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_MESSAGE' });
    // Nothing was delivered, so nothing holds these entities: a lease kept for them would be renewed forever with no actor to release it.
    expect(a.owned()).toEqual([]);
    expect(a.system.liveActors).toBe(0);
    expect(await a.ref(Ledger, 'bad/1').ask('entries', {})).toEqual([]); // the node still serves
  });

  it('closing both nodes with forwarded asks in flight both ways: every ask settles, with a reply or a coded error, none unhandled', async () => {
    const schema = await schemaWithTables();
    const a = await start(schema, 'node-a');
    const b = await start(schema, 'node-b');
    expect(await a.ref(Slow, 's-a').ask('wait', { ms: 0 })).toBe('waited'); // node-a owns s-a
    expect(await b.ref(Slow, 's-b').ask('wait', { ms: 0 })).toBe('waited'); // node-b owns s-b
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    closers.push(async () => void process.off('unhandledRejection', onUnhandled));
    const asks: Array<Promise<unknown>> = [];
    for (let i = 0; i < 4; i++) {
      asks.push(a.ref(Slow, 's-b').ask('wait', { ms: 300 }), b.ref(Slow, 's-a').ask('wait', { ms: 300 })); // forwarded by the routers
      asks.push(a.system.ref(Slow, 's-b').ask('wait', { ms: 300 }), b.system.ref(Slow, 's-a').ask('wait', { ms: 300 })); // through the ownership port
      asks.push(a.ref(Slow, `s-new-${i}`).ask('wait', { ms: 300 })); // taken on the way
    }
    b.system.ref(Slow, 's-a').tell('wait', { ms: 300 });
    await expect.poll(() => a.system.liveActors + b.system.liveActors, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    const settled = Promise.allSettled(asks);
    await Promise.all(nodes.splice(0).map((node) => node.close()));
    const outcomes = await settled;
    const codes = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : ((outcome.reason as { code?: string }).code ?? String(outcome.reason))));
    console.log(`asks in flight when both nodes closed: ${JSON.stringify(codes)}`);
    for (const code of codes) expect(code).toMatch(/^(waited|ERR_[A-Z_]+)$/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    expect(a.owned()).toEqual([]);
    expect(b.owned()).toEqual([]);
    // A closed node holds nothing in the table either: its entities are free for the next node at once, not after a ttl.
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    closers.push(() => pool.end());
    const held = await pool.query(`SELECT actor_type, actor_key, node_id FROM "${schema}".steward_leases WHERE node_id IS NOT NULL AND expires_at > now()`);
    expect(held.rows).toEqual([]);
  }, 30_000);
});
