/**
 * The storage contract the runtime consumes. Nothing here assumes one file or
 * one process: the lowdb store, the memory store and a future PostgreSQL store
 * all implement {@link Store}.
 */
import type { IndexPage, IndexQuery, IndexSpec } from './index-query.js';

import type { CommitResult, Fence, QueryOptions, StoredRecord, WriteOp } from '../runtime/ports/index.js';

export type { CommitResult, QueryOptions, RevisionEntry, StoredRecord, WriteOp } from '../runtime/ports/index.js';
export { revisionOf } from '../runtime/ports/index.js';
/**
 * An asynchronous record store with atomic, durable batches. `commit` resolves
 * only once the batch is durable; a revision mismatch anywhere fails the whole
 * batch with `ERR_REVISION_CONFLICT` and changes nothing.
 *
 * @example
 * ```ts
 * const store: Store = await LowdbStore.open({ dir: './data' });
 * await store.commit([{ op: 'put', collection: 'users', key: 'u1', value: { name: 'Ada' }, expectedRevision: 0 }]);
 * const user = await store.get<{ name: string }>('users', 'u1');
 * await store.close();
 * ```
 */
export interface Store {
  get<T = unknown>(collection: string, key: string): Promise<StoredRecord<T> | undefined>;
  /**
   * The acknowledged record, read synchronously, for stores that hold an
   * in-memory index (the embedded ones). Optional: the persistence actor uses
   * it to plan a group commit without a round trip per key, and falls back
   * to `get` where a store has no such index (a database).
   */
  read?<T = unknown>(collection: string, key: string): StoredRecord<T> | undefined;
  query<T = unknown>(collection: string, options?: QueryOptions): Promise<StoredRecord<T>[]>;
  /** Declares a secondary index of `collection` (idempotent); see {@link IndexSpec}. */
  defineIndex?(collection: string, spec: IndexSpec): Promise<void>;
  /** One page of records of `collection` in the order of its index `index`; see {@link IndexQuery}. */
  queryIndex?<T = unknown>(collection: string, index: string, query?: IndexQuery): Promise<IndexPage<T>>;
  commit(batch: readonly WriteOp[]): Promise<CommitResult>;
  /**
   * Commits several requests as ONE durable commit, each planned inside the
   * store's transaction against what the requests before it left. Resolves
   * with one outcome per request: its result, or the error that refuses it
   * alone (conflict, missing record, invalid patch), which wrote nothing.
   * Rejects only if the whole commit failed. Optional: the persistence actor
   * uses it where a plan made from an earlier read could be stale by commit
   * time (a database other nodes write too), and plans itself otherwise.
   * `fences[i]`, when given, is the lease request `i` is written under: a
   * request whose lease no longer stands is refused alone (`ERR_FENCED`).
   */
  commitGroup?(requests: ReadonlyArray<readonly WriteOp[]>, fences?: ReadonlyArray<Fence | undefined>): Promise<GroupOutcome[]>;
  /** Waits for pending work and closes; every call returns the same promise. */
  close(): Promise<void>;
  /**
   * Calls `listener` once if the store becomes unusable for good (a lowdb
   * store whose directory lock was lost: `ERR_LOCK_LOST`); returns an
   * unsubscribe. Optional (stores that cannot lose ownership omit it); an
   * `ActorSystem` given a store with it stops itself when it fires.
   */
  onUnusable?(listener: (error: Error) => void): () => void;
}

/**
 * The outcome of one request of {@link Store.commitGroup}.
 *
 * @example
 * ```ts
 * declare const store: PgStore; // a store that commits a group in one transaction
 * declare const batchA: WriteOp[];
 * declare const batchB: WriteOp[];
 * const outcomes = await store.commitGroup([batchA, batchB]);
 * for (const outcome of outcomes) if (!outcome.ok) console.warn(outcome.error.message);
 * ```
 */
export type GroupOutcome = { readonly ok: true; readonly result: CommitResult } | { readonly ok: false; readonly error: Error };

