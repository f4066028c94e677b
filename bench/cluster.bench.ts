/**
 * Cluster benchmark, PostgreSQL side: durable updates/s through the
 * persistence actor on PgStore with 100 concurrent writers (group commit: one
 * transaction per group), against a naive read-then-update of the same rows
 * from the same 100 writers, one autocommit statement pair per update and no
 * group commit; and the store's commit path on both candidate drivers.
 *
 * Needs PostgreSQL (`STEWARD_PG_URL`, default the development machine's);
 * each run works in a fresh random schema, dropped after.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { BenchFigure, BenchGroup } from './harness.js';
import { collectGarbage } from './harness.js';
import { forwardedAsk, takeover } from './cluster-nodes.js';
import { commitsPerSecond, persistenceUpdatesPerSecond, pgDriver, postgresDriver } from './pg-drivers.js';
import { Persistence, PgStore } from '../src/persistence/index.js';

const URL = process.env['STEWARD_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const WRITERS = 100;
const RECORDS = 1_000;
const POOL = 10;
const MEASURE_MS = 3_000;
const DRIVER_MS = 2_000;
const DRIVER_CALLERS = 4;
const ROUNDS = 2;
const ASK_SAMPLES = 2_000;
const TAKEOVER_TTL_MS = 1_000;

async function seed(store: PgStore): Promise<void> {
  const batch = Array.from({ length: RECORDS }, (_, i) => ({ op: 'put' as const, collection: 'jobs', key: `job-${i}`, value: { owner: 'seed', progress: 0 } }));
  await store.commit(batch);
}

/**
 * The naive writer: read the row, then update it if nobody changed it since
 * (retrying if someone did), each statement its own transaction, as code
 * without a sole writer does it.
 */
async function naiveUpdatesPerSecond(pool: pg.Pool, schema: string): Promise<number> {
  const records = `"${schema}".steward_records`;
  return commitsPerSecond(MEASURE_MS, WRITERS, async (caller, n) => {
    const key = `job-${(caller * 7919 + n * 104729) % RECORDS}`;
    for (;;) {
      const { rows } = await pool.query<{ revision: string }>(`SELECT revision FROM ${records} WHERE collection = 'jobs' AND key = $1`, [key]);
      const revision = Number(rows[0]?.revision);
      const value = JSON.stringify({ owner: `user-${n % 977}`, progress: n % 100, note: 'x'.repeat(40) });
      const updated = await pool.query(
        `UPDATE ${records} SET value = $2, revision = revision + 1, updated_at = $3 WHERE collection = 'jobs' AND key = $1 AND revision = $4`,
        [key, value, Date.now(), revision],
      );
      if (updated.rowCount === 1) return;
    }
  });
}

const group: BenchGroup = {
  name: 'cluster',
  async run(report: (figure: BenchFigure) => void) {
    const schema = `steward_bench_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Pool({ connectionString: URL, max: POOL });
    const store = await PgStore.open({ connectionString: URL, schema, poolSize: POOL });
    const persistence = new Persistence(store, { closeStore: false });
    let steward = 0;
    let naive = 0;
    const drivers = { pg: 0, postgres: 0, pgNoFlush: 0, postgresNoFlush: 0 };
    let asks = { forwarded: 0, local: 0 };
    let takeoverMs = 0;
    try {
      await seed(store);
      await persistenceUpdatesPerSecond(persistence, 500, WRITERS, RECORDS); // warm-up
      // Interleaved rounds, so a noisy moment on a shared machine lands on both sides alike.
      for (let round = 0; round < ROUNDS; round++) {
        collectGarbage();
        steward += (await persistenceUpdatesPerSecond(persistence, MEASURE_MS, WRITERS, RECORDS)) / ROUNDS;
        collectGarbage();
        naive += (await naiveUpdatesPerSecond(admin, schema)) / ROUNDS;
        collectGarbage();
        drivers.pg += (await pgDriver(URL, schema, DRIVER_MS, DRIVER_CALLERS, { durable: true })) / ROUNDS;
        drivers.postgres += (await postgresDriver(URL, schema, DRIVER_MS, DRIVER_CALLERS, { durable: true })) / ROUNDS;
        drivers.pgNoFlush += (await pgDriver(URL, schema, DRIVER_MS, DRIVER_CALLERS, { durable: false })) / ROUNDS;
        drivers.postgresNoFlush += (await postgresDriver(URL, schema, DRIVER_MS, DRIVER_CALLERS, { durable: false })) / ROUNDS;
      }
      collectGarbage();
      asks = await forwardedAsk(URL, schema, ASK_SAMPLES);
      takeoverMs = await takeover(URL, schema, TAKEOVER_TTL_MS);
      const { requests, storeCommits } = persistence.stats;
      console.log(`  group commit: ${requests} requests in ${storeCommits} transactions (${(requests / storeCommits).toFixed(1)} per transaction)`);
    } finally {
      await persistence.close();
      await store.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
    report({ name: 'cluster.pg_commits_per_sec', value: steward, unit: `durable updates/s (${WRITERS} writers, Persistence on PgStore)` });
    report({ name: 'cluster.pg_naive_updates_per_sec', value: naive, unit: `updates/s (${WRITERS} writers, read-then-update, pool of ${POOL})` });
    report({ name: 'cluster.pg_vs_naive', value: steward / naive, unit: 'x', target: '>= 5' });
    report({ name: 'cluster.forwarded_ask_p50_ms', value: asks.forwarded, unit: 'ms (ask A -> owner B -> A, HTTP on loopback, undici keep-alive)', target: '<= 1' });
    report({ name: 'cluster.local_ask_p50_ms', value: asks.local, unit: 'ms (the same ask on the owner itself: the baseline)' });
    report({ name: 'cluster.forwarded_vs_local_ask', value: asks.forwarded / asks.local, unit: 'x (forwarding cost)' });
    report({ name: 'cluster.takeover_ms', value: takeoverMs, unit: `ms from SIGKILL of the owner to the successor's first answer (lease ttl ${TAKEOVER_TTL_MS} ms)` });
    report({ name: 'cluster.takeover_vs_ttl', value: takeoverMs / TAKEOVER_TTL_MS, unit: 'x the lease ttl' });
    report({ name: 'cluster.driver_pg_commits_per_sec', value: drivers.pg, unit: `one-record commits/s (${DRIVER_CALLERS} callers, node-postgres)` });
    report({ name: 'cluster.driver_postgres_commits_per_sec', value: drivers.postgres, unit: `one-record commits/s (${DRIVER_CALLERS} callers, porsager postgres)` });
    report({ name: 'cluster.driver_pg_vs_postgres', value: drivers.pg / drivers.postgres, unit: 'x (durable commits)' });
    report({ name: 'cluster.driver_pg_commits_per_sec_no_flush', value: drivers.pgNoFlush, unit: `commits/s (synchronous_commit off, node-postgres)` });
    report({ name: 'cluster.driver_postgres_commits_per_sec_no_flush', value: drivers.postgresNoFlush, unit: `commits/s (synchronous_commit off, porsager postgres)` });
    report({ name: 'cluster.driver_pg_vs_postgres_no_flush', value: drivers.pgNoFlush / drivers.postgresNoFlush, unit: 'x (driver cost alone)' });
  },
};

export default group;
