/**
 * The {@link Store} on PostgreSQL, for several processes (nodes) sharing one
 * database: connecting and migrating, reads (batched per tick), indexes, and
 * closing after the work under way. A commit is one transaction (pg-commit.ts).
 *
 * Driver: node-postgres (`pg`) with its Pool, chosen by measurement:
 * `bench/cluster.bench.ts` runs this commit path on `pg` and on `postgres`
 * (porsager) side by side (`cluster.driver_pg_vs_postgres`, and the same with
 * `synchronous_commit = off` so the WAL flush does not hide the drivers'
 * cost). `pg` came out ahead on both (1.3x durable, 1.5x without the flush,
 * measured under load): porsager's pipelining cannot help a transaction whose
 * write depends on its read, and `pg` sends BEGIN with the commit lock in one
 * simple-protocol round trip, while `sql.begin` spends one on BEGIN alone.
 */
import pg from 'pg';
import type { Pool } from 'pg';
import type { Clock } from '../runtime/clock.js';
import { realClock } from '../runtime/clock.js';
import { StoreClosedError } from './errors.js';
import { PgCommits, type PgCommitFault } from './pg-commit.js';
import type { Fence, PgCommitOptions } from './pg-fence.js';
import { migrateSchema, quoteSchema } from './pg-schema.js';
import type { PgStatements, RecordRow } from './pg-sql.js';
import { pgStatements, toRecord } from './pg-sql.js';
import { TickReads } from './pg-reads.js';
import type { PgStoreOptions } from './pg-store-options.js';
import { PgIndexes } from './pg-index.js';
import type { IndexPage, IndexQuery, IndexSpec } from './index-query.js';
import type { CommitResult, GroupOutcome, QueryOptions, Store, StoredRecord, WriteOp } from './types.js';
import { validateBatch } from './write-ops.js';

export type { PgStoreOptions } from './pg-store-options.js';

/**
 * A durable {@link Store} on PostgreSQL, shared safely by several processes.
 *
 * @example
 * ```ts
 * const store = await PgStore.open({ connectionString: process.env['DATABASE_URL'] ?? 'postgres://127.0.0.1:5432/app', schema: 'steward' });
 * const persistence = new Persistence(store); // group commit: one transaction per group
 * await persistence.commit([{ op: 'put', collection: 'users', key: 'u1', value: { name: 'Ada' }, expectedRevision: 0 }]);
 * await persistence.close(); // closes the store and its pool
 * ```
 */
export class PgStore implements Store {
  readonly #pool: Pool;
  readonly #ownsPool: boolean;
  readonly #sql: PgStatements;
  readonly #indexes: PgIndexes;
  #closed = false;
  /** The one close in progress or done: every call to close returns it. */
  #closing: Promise<void> | undefined;
  /** Commits and reads under way; close waits for them. */
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #reads: TickReads;
  readonly #commits: PgCommits;

  private constructor(pool: Pool, ownsPool: boolean, schema: string, clock: Clock, idleTimeoutMs: number | undefined) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.#sql = pgStatements(quoteSchema(schema), idleTimeoutMs);
    this.#indexes = new PgIndexes(pool, quoteSchema(schema));
    this.#commits = new PgCommits(pool, this.#sql, clock);
    this.#reads = new TickReads(
      (collections, keys) => this.#pool.query<RecordRow>(this.#sql.select, [collections, keys]),
      (work) => void this.#track(work),
    );
  }

  /**
   * Connects, creates or migrates the schema, and returns the open store.
   * Rejects with `ERR_SCHEMA_TOO_NEW` if the schema was written by newer code.
   */
  static async open(options: PgStoreOptions = {}): Promise<PgStore> {
    const schema = options.schema ?? 'steward';
    quoteSchema(schema);
    const pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
    // An idle connection the server drops is replaced on next use; unobserved, the pool's 'error' would kill the process.
    if (!options.pool) pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        await migrateSchema(client, schema);
      } finally {
        client.release();
      }
    } catch (error) {
      if (!options.pool) await pool.end();
      throw error;
    }
    return new PgStore(pool, !options.pool, schema, options.clock ?? realClock, options.transactionIdleTimeoutMs);
  }

  /**
   * Makes the next commit fail for real, after its writes and before COMMIT,
   * so nothing is written: `'statement'` (default) runs a statement
   * PostgreSQL refuses; `'session'` has the server end the session (as an
   * idle-in-transaction timeout or a restart does), a failure the
   * persistence actor retries. Calls add up. For tests of failure handling.
   */
  failNextCommit(kind: PgCommitFault = 'statement'): void {
    this.#commits.failNext(kind);
  }

  /**
   * Reads one record. Reads asked for in the same tick go to the database as
   * one query, so the persistence actor's per-key look-ups before a group
   * commit cost one round trip, not one per key.
   */
  get<T = unknown>(collection: string, key: string): Promise<StoredRecord<T> | undefined> {
    if (this.#closed) return Promise.reject(closed());
    return this.#reads.read(collection, key) as Promise<StoredRecord<T> | undefined>;
  }

  async query<T = unknown>(collection: string, options: QueryOptions = {}): Promise<StoredRecord<T>[]> {
    if (this.#closed) throw closed();
    const limit = options.limit === undefined ? null : Math.max(0, Math.floor(options.limit));
    const result = await this.#track(this.#pool.query<RecordRow>(this.#sql.query, [collection, options.prefix ?? null, options.after ?? null, limit]));
    return result.rows.map(toRecord) as StoredRecord<T>[];
  }

  /** Declares a secondary index: a partial expression index PostgreSQL keeps in each commit's transaction (pg-index.ts). */
  defineIndex(collection: string, spec: IndexSpec): Promise<void> {
    if (this.#closed) return Promise.reject(closed());
    return this.#track(this.#indexes.define(collection, spec));
  }

  /** One page of `collection` in the order of its index `index` (declared on this store object). */
  queryIndex<T = unknown>(collection: string, index: string, query?: IndexQuery): Promise<IndexPage<T>> {
    if (this.#closed) return Promise.reject(closed());
    return this.#track(this.#indexes.query<T>(collection, index, query));
  }

  /**
   * Commits `batch` in one transaction; resolves once PostgreSQL has committed
   * it. With a `fence`, the batch is refused with `ERR_FENCED` unless that
   * lease is still held at its token, checked in the same transaction.
   */
  async commit(batch: readonly WriteOp[], options: PgCommitOptions = {}): Promise<CommitResult> {
    const [outcome] = await this.commitGroup([batch], [options.fence]);
    if (!outcome?.ok) throw outcome?.error;
    return outcome.result;
  }

  /**
   * Commits every request in ONE transaction, each planned against the locked
   * rows and what the requests before it left; a request that conflicts is
   * refused alone. The persistence actor's group commit lands here.
   */
  commitGroup(requests: ReadonlyArray<readonly WriteOp[]>, fences: ReadonlyArray<Fence | undefined> = []): Promise<GroupOutcome[]> {
    if (this.#closed) return Promise.reject(closed());
    let validated: WriteOp[][];
    try {
      validated = requests.map((batch) => validateBatch(batch));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#track(this.#commits.run(validated, fences));
  }

  /** Refuses new work, waits for the work under way, then ends the pool if the store made it. */
  close(): Promise<void> {
    this.#closed = true;
    return (this.#closing ??= this.#drainAndEnd());
  }

  async #drainAndEnd(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    if (this.#ownsPool) await this.#pool.end();
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const done = (): void => void this.#inFlight.delete(work);
    work.then(done, done);
    return work;
  }
}

function closed(): StoreClosedError {
  return new StoreClosedError('The PostgreSQL store is closed.');
}

