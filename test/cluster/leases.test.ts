/**
 * Leases and fenced commits on a real PostgreSQL, two nodes in one process
 * (each its own pool): exclusive ownership, takeover after expiry by
 * PostgreSQL's clock, tokens that only grow, batched renewal, and a stale
 * holder's writes refused in the commit's own transaction.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { Leases, PgLeaseTable } from '../../src/cluster/index.js';
import { PgStore } from '../../src/persistence/index.js';
import { dropSchema, PG_URL, randomSchema, skipPg } from '../persistence/pg-env.js';

describe.skipIf(skipPg)('Leases and fencing', () => {
  const pools: pg.Pool[] = [];
  const stores: PgStore[] = [];
  const schemas: string[] = [];

  /** One node: its pool, its store and its leases on `schema`. */
  const node = async (schema: string, id: string, ttlMs = 60_000, now?: () => number) => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 3 });
    pools.push(pool);
    const store = await PgStore.open({ pool, schema });
    stores.push(store);
    return { store, leases: new Leases({ table: new PgLeaseTable({ pool, schema }), node: id, ttlMs, marginMs: ttlMs / 5, ...(now ? { now } : {}) }) };
  };
  const fresh = (): string => {
    const schema = randomSchema();
    schemas.push(schema);
    return schema;
  };
  /** Waits until PostgreSQL's clock has passed `ms` from now (bounded by the statement itself). */
  const pgSleep = async (ms: number): Promise<void> => {
    await (pools[0] as pg.Pool).query('SELECT pg_sleep($1)', [ms / 1000]);
  };

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
    await Promise.all(schemas.splice(0).map(dropSchema));
  });

  it('one holder at a time; release and expiry hand it on with a larger token, never reset', async () => {
    const schema = fresh();
    const a = await node(schema, 'node-a', 400);
    const b = await node(schema, 'node-b', 400);
    const first = await a.leases.acquire('cook', 'c-1');
    expect(first).toMatchObject({ held: true, lease: { type: 'cook', key: 'c-1', node: 'node-a', token: 1 } });
    const refused = await b.leases.acquire('cook', 'c-1');
    expect(refused).toMatchObject({ held: false, owner: 'node-a' });
    expect(refused.held ? 0 : refused.remainingMs).toBeGreaterThan(0);
    await a.leases.release('cook', 'c-1');
    expect(await b.leases.acquire('cook', 'c-1')).toMatchObject({ held: true, lease: { node: 'node-b', token: 2 } });
    await pgSleep(450); // b's lease expires by PostgreSQL's clock
    expect(await a.leases.acquire('cook', 'c-1')).toMatchObject({ held: true, lease: { node: 'node-a', token: 3 } });
    await a.leases.releaseAll();
    expect(await b.leases.acquire('cook', 'c-1')).toMatchObject({ held: true, lease: { token: 4 } });
  });

  it('a stale holder is fenced: ERR_FENCED in the same transaction, nothing written; the new holder writes', async () => {
    const schema = fresh();
    const a = await node(schema, 'node-a', 300);
    const b = await node(schema, 'node-b', 300);
    const held = await a.leases.acquire('cook', 'c-1');
    if (!held.held) throw new Error('node-a should hold the lease');
    const write = (value: string) => [{ op: 'put' as const, collection: 'cooks', key: 'c-1', value }];
    await a.store.commit(write('a-1'), { fence: held.lease });
    await pgSleep(350);
    const taken = await b.leases.acquire('cook', 'c-1');
    if (!taken.held) throw new Error('node-b should have taken the lease over');
    const late = a.store.commit([...write('a-late'), { op: 'put', collection: 'other', key: 'x', value: 1 }], { fence: held.lease });
    await expect(late).rejects.toMatchObject({ code: 'ERR_FENCED', name: 'FencedError' });
    await expect(late).rejects.toThrowErrorMatchingInlineSnapshot(
      `[FencedError: Write fenced: node-a wrote cook/c-1 under token 1, but the lease is at token 2, held by node-b; nothing in the batch was written.]`,
    );
    await b.store.commit(write('b-1'), { fence: taken.lease });
    expect(await a.store.get('cooks', 'c-1')).toMatchObject({ revision: 2, value: 'b-1' });
    expect(await a.store.get('other', 'x')).toBeUndefined();
    await expect(a.leases.renew()).resolves.toMatchObject([{ key: 'c-1', token: 1 }]); // renewal reports it lost
    expect(a.leases.held()).toEqual([]);
  });

  it('in one group transaction a fenced request is refused alone', async () => {
    const schema = fresh();
    const a = await node(schema, 'node-a');
    const one = await a.leases.acquire('cook', 'one');
    if (!one.held) throw new Error('lease expected');
    const stale = { ...one.lease, token: one.lease.token - 1 };
    const outcomes = await a.store.commitGroup(
      [[{ op: 'put', collection: 'cooks', key: 'one', value: 'ok' }], [{ op: 'put', collection: 'cooks', key: 'one', value: 'stale' }], [{ op: 'put', collection: 'free', key: 'f', value: 1 }]],
      [one.lease, stale, undefined],
    );
    expect(outcomes.map((outcome) => (outcome.ok ? 'ok' : (outcome.error as { code?: string }).code))).toEqual(['ok', 'ERR_FENCED', 'ok']);
    expect(await a.store.get('cooks', 'one')).toMatchObject({ revision: 1, value: 'ok' });
  });

  it('renews every held lease in one statement; a node gives a lease up by its own clock first (ERR_LEASE_EXPIRED)', async () => {
    const schema = fresh();
    let now = 0;
    const a = await node(schema, 'node-a', 1_000, () => now);
    for (const key of ['k1', 'k2', 'k3']) expect((await a.leases.acquire('cook', key)).held).toBe(true);
    now = 700;
    expect(a.leases.valid('cook', 'k1')).toMatchObject({ token: 1, validUntil: 800 });
    expect(await a.leases.renew()).toEqual([]);
    expect(a.leases.valid('cook', 'k2').validUntil).toBe(1_500);
    now = 1_500;
    expect(() => a.leases.valid('cook', 'k3')).toThrowErrorMatchingInlineSnapshot(
      `[LeaseExpiredError: node-a no longer holds a live lease on cook/k3; it must not write or acknowledge for it.]`,
    );
  });

  it('cut off from PostgreSQL (its pool ended), a node stops writing for an entity before PostgreSQL lets anyone take it', async () => {
    const schema = fresh();
    const a = await node(schema, 'node-a', 800);
    const b = await node(schema, 'node-b', 800);
    expect((await a.leases.acquire('cook', 'c-1')).held).toBe(true);
    await (pools[0] as pg.Pool).end(); // the partition: every statement from node-a fails from now on
    pools.shift();
    stores.shift();
    await expect(a.leases.renew()).rejects.toThrow();
    const gaveUp = new Promise<void>((resolve) => {
      const check = (): void => {
        try {
          a.leases.valid('cook', 'c-1');
          setTimeout(check, 5);
        } catch (error) {
          expect(error).toMatchObject({ code: 'ERR_LEASE_EXPIRED' });
          resolve();
        }
      };
      check();
    });
    await gaveUp;
    // The moment node-a gave up, PostgreSQL still has its lease live: nobody else could own the entity yet.
    expect(await b.leases.acquire('cook', 'c-1')).toMatchObject({ held: false, owner: 'node-a' });
  });
});
