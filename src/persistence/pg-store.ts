/**
 * The {@link Store} on PostgreSQL, for several processes (nodes) sharing one
 * database. A commit is one transaction: it locks the commit row (so commits
 * from every node apply one after another), reads the rows it touches, plans
 * the batch with the same code as the embedded stores (same revisions, same
 * errors, same messages) and writes every change plus the sequence bump in
 * one statement.
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
import type { Pool, PoolClient } from 'pg';
import type { Clock } from '../runtime/clock.js';
import { realClock } from '../runtime/clock.js';
import { PersistFailedError, StoreClosedError } from './errors.js';
import type { Fence, LeaseRow, PgCommitOptions } from './pg-fence.js';
import { checkFence, type FencedError } from './pg-fence.js';
import { migrateSchema, quoteSchema } from './pg-schema.js';
import type { PgStatements, RecordRow } from './pg-sql.js';
import { pgStatements, toRecord } from './pg-sql.js';
import { planGroup } from './pg-group.js';
import { TickReads } from './pg-reads.js';
import type { PgStoreOptions } from './pg-store-options.js';
import { PgIndexes } from './pg-index.js';
import type { IndexPage, IndexQuery, IndexSpec } from './index-query.js';
import type { CommitResult, GroupOutcome, QueryOptions, Store, StoredRecord, WriteOp } from './types.js';
import { recordId, validateBatch } from './write-ops.js';

export type { PgStoreOptions } from './pg-store-options.js';

/**
 * A durable {@link Store} on PostgreSQL, shared safely by several processes.
 *
 * @example
 * ```ts
 * const store = await PgStore.open({ connectionString: process.env.DATABASE_URL, schema: 'steward' });
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
  readonly #clock: Clock;
  #closed = false;
  /** The one close in progress or done: every call to close returns it. */
  #closing: Promise<void> | undefined;
  /** Commits and reads under way; close waits for them. */
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #reads: TickReads;
  #failures = 0;

  private constructor(pool: Pool, ownsPool: boolean, schema: string, clock: Clock, idleTimeoutMs: number | undefined) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.#sql = pgStatements(quoteSchema(schema), idleTimeoutMs);
    this.#indexes = new PgIndexes(pool, quoteSchema(schema));
    this.#clock = clock;
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
   * Makes the next commit fail for real: its transaction runs a statement
   * PostgreSQL refuses after the writes, so it is rolled back and nothing is
   * written. Calls add up. For tests of failure handling.
   */
  failNextCommit(): void {
    this.#failures += 1;
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
    return this.#track(this.#transact(validated, fences));
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

  async #transact(requests: readonly (readonly WriteOp[])[], fences: ReadonlyArray<Fence | undefined>): Promise<GroupOutcome[]> {
    const writes = requests.reduce((sum, ops) => sum + ops.length, 0);
    const client = await this.#connect(writes);
    let stage: 'planning' | 'writing' | 'committing' = 'planning';
    try {
      const [, , locked] = (await client.query(this.#sql.begin)) as unknown as [unknown, unknown, { rows: Array<{ sequence: string }> }];
      const refusals = await this.#checkFences(client, fences);
      const admitted = requests.map((ops, index) => (refusals[index] ? [] : ops));
      const state = await this.#lockedRows(client, admitted);
      const { outcomes, changes } = planGroup(admitted, state, this.#clock.now(), refusals);
      if (changes.length === 0) {
        await client.query('ROLLBACK');
        client.release();
        const sequence = Number(locked.rows[0]?.sequence ?? 0);
        return outcomes.map((outcome) => (outcome instanceof Error ? { ok: false, error: outcome } : { ok: true, result: { revisions: [], sequence } }));
      }
      stage = 'writing';
      const upserts = changes.filter((change) => change.record !== undefined);
      const deletes = changes.filter((change) => change.record === undefined);
      const written = await client.query<{ sequence: string }>(this.#sql.write, [
        upserts.map((change) => change.collection),
        upserts.map((change) => change.key),
        upserts.map((change) => change.record?.revision),
        upserts.map((change) => JSON.stringify(change.record?.value)),
        upserts.map((change) => change.record?.updatedAt),
        deletes.map((change) => change.collection),
        deletes.map((change) => change.key),
      ]);
      if (this.#failures > 0) {
        this.#failures -= 1;
        await client.query('SELECT 1 / 0 AS injected_failure');
      }
      stage = 'committing';
      await client.query('COMMIT');
      client.release();
      const sequence = Number(written.rows[0]?.sequence);
      return outcomes.map((outcome) => (outcome instanceof Error ? { ok: false, error: outcome } : { ok: true, result: { revisions: outcome.revisions, sequence } }));
    } catch (error) {
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackError: Error) => client.release(rollbackError), // a broken connection is not returned to the pool
      );
      throw new PersistFailedError(
        stage === 'committing'
          ? `PostgreSQL COMMIT of ${writes} write(s) failed; the outcome is unknown until the records are read again.`
          : `PostgreSQL commit of ${writes} write(s) failed while ${stage}; nothing was written.`,
        { cause: error },
      );
    }
  }

  /** Per request, the refusal of its fence (undefined: unfenced, or the lease stands). */
  async #checkFences(client: PoolClient, fences: ReadonlyArray<Fence | undefined>): Promise<Array<FencedError | undefined>> {
    const named = fences.filter((fence): fence is Fence => fence !== undefined);
    if (named.length === 0) return [];
    const { rows } = await client.query<LeaseRow>(this.#sql.leases, [named.map((fence) => fence.type), named.map((fence) => fence.key)]);
    const byEntity = new Map(rows.map((row) => [recordId(row.actor_type, row.actor_key), row]));
    return fences.map((fence) => fence && checkFence(fence, byEntity.get(recordId(fence.type, fence.key))));
  }

  /** The current rows of every key the requests touch, read after the commit lock (so nothing can change them before COMMIT). */
  async #lockedRows(client: PoolClient, requests: readonly (readonly WriteOp[])[]): Promise<Map<string, StoredRecord | undefined>> {
    const state = new Map<string, StoredRecord | undefined>();
    const collections: string[] = [];
    const keys: string[] = [];
    for (const ops of requests) {
      for (const { collection, key } of ops) {
        const id = recordId(collection, key);
        if (state.has(id)) continue;
        state.set(id, undefined);
        collections.push(collection);
        keys.push(key);
      }
    }
    if (keys.length === 0) return state;
    const { rows } = await client.query<RecordRow>(this.#sql.select, [collections, keys]);
    for (const row of rows) state.set(recordId(row.collection, row.key), toRecord(row));
    return state;
  }

  /**
   * A connection checked out for one commit. The server may end it between
   * two statements (idle-in-transaction timeout while this process was
   * frozen): pg then emits 'error' on the client, which would kill the
   * process unobserved; the commit sees the failure on its next statement.
   * The listener goes when the client goes back to the pool.
   */
  async #connect(writes: number): Promise<PoolClient> {
    try {
      const client = await this.#pool.connect();
      const ignore = (): void => undefined;
      client.on('error', ignore);
      const release = client.release.bind(client);
      client.release = (error?: Error | boolean) => {
        client.off('error', ignore);
        release(error);
      };
      return client;
    } catch (error) {
      throw new PersistFailedError(`Could not reach PostgreSQL to commit ${writes} write(s); nothing was written.`, { cause: error });
    }
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

