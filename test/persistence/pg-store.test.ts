/**
 * What the PostgreSQL store adds to the contract: its schema versions in a
 * table of their own (a newer schema refused), and several stores (nodes) on
 * one schema staying exactly as consistent as one.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { Persistence, PgStore, revisionOf } from '../../src/persistence/index.js';
import { dropSchema, PG_URL, randomSchema, skipPg } from './pg-env.js';

describe.skipIf(skipPg)('PgStore', () => {
  const stores: PgStore[] = [];
  const schemas: string[] = [];
  const clients: pg.Client[] = [];
  const open = async (schema: string): Promise<PgStore> => {
    const store = await PgStore.open({ connectionString: PG_URL, schema, poolSize: 4 });
    stores.push(store);
    return store;
  };
  const fresh = (): string => {
    const schema = randomSchema();
    schemas.push(schema);
    return schema;
  };
  const sql = async (text: string, values: unknown[] = []): Promise<pg.QueryResult> => {
    const client = new pg.Client({ connectionString: PG_URL });
    clients.push(client);
    await client.connect();
    return client.query(text, values);
  };

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await Promise.all(clients.splice(0).map((client) => client.end()));
    await Promise.all(schemas.splice(0).map(dropSchema));
  });

  it('retries a commit whose session PostgreSQL ended before COMMIT (nothing was written): one acknowledged write, no error', async () => {
    // A node frozen past idle_in_transaction_session_timeout, or a restarted server, ends the session mid-transaction.
    const store = await open(fresh());
    const persistence = new Persistence(store);
    store.failNextCommit('session');
    await persistence.commit([{ op: 'put', collection: 'c', key: 'k', value: { n: 1 }, expectedRevision: 0 }]);
    expect((await store.get<{ n: number }>('c', 'k'))?.value).toEqual({ n: 1 });
    await persistence.close();
  });

  it('records its schema version in steward_migrations and migrates once', async () => {
    const schema = fresh();
    await (await open(schema)).close();
    await open(schema);
    const { rows } = await sql(`SELECT version, name FROM "${schema}".steward_migrations ORDER BY version`);
    expect(rows).toEqual([
      { version: 1, name: 'records and the commit sequence' },
      { version: 2, name: 'entity leases with fencing tokens' },
      { version: 3, name: 'cluster nodes and their addresses' },
    ]);
  });

  it('refuses a schema written by newer code with ERR_SCHEMA_TOO_NEW, changing nothing', async () => {
    const schema = fresh();
    const store = await open(schema);
    await store.commit([{ op: 'put', collection: 'items', key: 'a', value: 1 }]);
    await store.close();
    await sql(`INSERT INTO "${schema}".steward_migrations (version, name) VALUES (7, 'from the future')`);
    const refused = PgStore.open({ connectionString: PG_URL, schema });
    await expect(refused).rejects.toMatchObject({ code: 'ERR_SCHEMA_TOO_NEW', name: 'SchemaTooNewError' });
    await expect(refused).rejects.toThrow(`PostgreSQL schema ${schema} has schema version 7, newer than this code's 3; upgrade steward instead of opening it with older code.`);
    const { rows } = await sql(`SELECT count(*)::int AS n FROM "${schema}".steward_records`);
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(PgStore.open({ connectionString: PG_URL, schema: 'a"; DROP TABLE x; --' })).rejects.toMatchObject({ code: 'ERR_MIGRATION_FAILED' });
  });

  it('two stores on one schema: racing creates of one key, exactly one wins, the rest conflict; the sequence has no gaps', async () => {
    const schema = fresh();
    const [a, b] = [await open(schema), await open(schema)];
    const attempts = Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? a : b).commit([{ op: 'put', collection: 'items', key: 'one', value: i, expectedRevision: 0 }]).then(
        (result) => ({ ok: true as const, sequence: result.sequence }),
        (error: { code?: string }) => ({ ok: false as const, code: error.code }),
      ),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !outcome.ok).map((outcome) => (outcome.ok ? '' : outcome.code))).toEqual(Array(19).fill('ERR_REVISION_CONFLICT'));
    const sequences = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).commit([{ op: 'put', collection: 'items', key: `k${i}`, value: i }])));
    expect(sequences.map((result) => result.sequence).sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('two persistence actors on one schema: unconditional updates from both count every write once', async () => {
    const schema = fresh();
    const [a, b] = [new Persistence(await open(schema), { closeStore: false }), new Persistence(await open(schema), { closeStore: false })];
    await a.commit([{ op: 'put', collection: 'items', key: 'n', value: { hits: 0 } }]);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).commit([{ op: 'patch', collection: 'items', key: 'n', patch: { last: i } }])));
    const revisions = results.map((result) => revisionOf(result, 'items', 'n'));
    const record = await a.get('items', 'n');
    expect(record?.revision).toBe(41);
    expect([...revisions].sort((x, y) => (x as number) - (y as number))).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
    expect(a.stats.storeCommits + b.stats.storeCommits).toBeLessThan(40);
    await Promise.all([a.close(), b.close()]);
  });
});
