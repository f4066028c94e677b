/**
 * The PostgreSQL store's commit path on each candidate driver, so the choice
 * between node-postgres (`pg`) and `postgres` (porsager) is measured, not
 * guessed: the same statements (the store's own), one-record commits from
 * several concurrent callers, on the same table.
 */
import pg from 'pg';
import postgres from 'postgres';
import type { Persistence } from '../src/persistence/index.js';
import { PgStore } from '../src/persistence/index.js';
import { quoteSchema } from '../src/persistence/pg-schema.js';
import { pgStatements } from '../src/persistence/pg-sql.js';

/** Commits/s of `commitOnce` from `callers` concurrent loops for `ms`. */
export async function commitsPerSecond(ms: number, callers: number, commitOnce: (caller: number, n: number) => Promise<void>): Promise<number> {
  let commits = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      while (performance.now() - started < ms) {
        await commitOnce(caller, commits);
        commits += 1;
      }
    }),
  );
  return commits / ((performance.now() - started) / 1000);
}

/**
 * With `durable: false` the sessions run `synchronous_commit = off`, so the
 * WAL flush (the same for both drivers) no longer hides what each driver costs.
 */
export type Durability = { readonly durable: boolean };

/** One-record commits through PgStore itself (node-postgres). */
export async function pgDriver(url: string, schema: string, ms: number, callers: number, { durable }: Durability): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: callers, ...(durable ? {} : { options: '-c synchronous_commit=off' }) });
  const store = await PgStore.open({ pool, schema });
  try {
    return await commitsPerSecond(ms, callers, async (caller, n) => {
      await store.commit([{ op: 'put', collection: 'drivers', key: `k${caller}`, value: { n } }]);
    });
  } finally {
    await store.close();
    await pool.end();
  }
}

/**
 * The same transaction on porsager's `postgres`: `sql.begin`, the commit row
 * lock, the read of the touched row, the one write statement, COMMIT. The
 * plan step is trivial here (one put), which only flatters this side.
 */
export async function postgresDriver(url: string, schema: string, ms: number, callers: number, { durable }: Durability): Promise<number> {
  const sql = postgres(url, { max: callers, onnotice: () => undefined, ...(durable ? {} : { connection: { synchronous_commit: 'off' } }) });
  const statements = pgStatements(quoteSchema(schema));
  const lock = statements.begin.slice(statements.begin.indexOf('SELECT'));
  try {
    return await commitsPerSecond(ms, callers, async (caller, n) => {
      const key = `k${caller}`;
      await sql.begin(async (tx) => {
        await tx.unsafe(lock);
        const rows = await tx.unsafe<Array<{ revision: string }>>(statements.select, [['drivers'], [key]]);
        const revision = Number(rows[0]?.revision ?? 0) + 1;
        await tx.unsafe(statements.write, [['drivers'], [key], [revision], [JSON.stringify({ n })], [Date.now()], [], []]);
      });
    });
  } finally {
    await sql.end();
  }
}

/** Durable updates/s of `writers` concurrent loops through `persistence`, each a put of a random record. */
export async function persistenceUpdatesPerSecond(persistence: Persistence, ms: number, writers: number, records: number): Promise<number> {
  return commitsPerSecond(ms, writers, async (caller, n) => {
    const key = `job-${(caller * 7919 + n * 104729) % records}`;
    await persistence.commit([{ op: 'put', collection: 'jobs', key, value: { owner: `user-${n % 977}`, progress: n % 100, note: 'x'.repeat(40) } }]);
  });
}
