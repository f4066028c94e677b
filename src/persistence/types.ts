/**
 * The storage contract the runtime consumes. Nothing here assumes one file or
 * one process: the lowdb store, the memory store and a future PostgreSQL store
 * all implement {@link Store}.
 */

/**
 * One record as stored. `revision` starts at 1 on creation and grows by one on
 * every write; a record that does not exist has revision 0.
 *
 * @example
 * ```ts
 * const record = await store.get<Cookie>('cookies', 'c-1');
 * if (record) console.log(record.revision, record.value.service);
 * ```
 */
export interface StoredRecord<T = unknown> {
  readonly collection: string;
  readonly key: string;
  readonly revision: number;
  /** A deep-frozen JSON value: stores hand out shared immutable values. */
  readonly value: T;
  /** Clock time (ms) of the commit that wrote this revision. */
  readonly updatedAt: number;
}

/**
 * One write in a batch. `expectedRevision` makes it conditional (optimistic
 * concurrency): the stored revision must equal it, `0` meaning "must not
 * exist". A `patch` shallow-merges into an existing object value.
 *
 * @example
 * ```ts
 * const batch: WriteOp[] = [
 *   { op: 'put', collection: 'jobs', key: 'j-1', value: { status: 'queued' }, expectedRevision: 0 },
 *   { op: 'patch', collection: 'queues', key: 'q', patch: { size: 1 } },
 *   { op: 'delete', collection: 'leases', key: 'j-0' },
 * ];
 * ```
 */
export type WriteOp =
  | { readonly op: 'put'; readonly collection: string; readonly key: string; readonly value: unknown; readonly expectedRevision?: number }
  | {
      readonly op: 'patch';
      readonly collection: string;
      readonly key: string;
      readonly patch: Readonly<Record<string, unknown>>;
      readonly expectedRevision?: number;
    }
  | { readonly op: 'delete'; readonly collection: string; readonly key: string; readonly expectedRevision?: number };

/**
 * The final revision of one key written by a commit (0 once deleted).
 *
 * @example
 * ```ts
 * const { revisions } = await persistence.commit(batch);
 * for (const { collection, key, revision } of revisions) cache.set(`${collection}/${key}`, revision);
 * ```
 */
export interface RevisionEntry {
  readonly collection: string;
  readonly key: string;
  readonly revision: number;
}

/**
 * What an acknowledged commit returns: the new revision of every key it wrote
 * (one entry per key, in first-written order) and the store's commit sequence
 * number, which grows by one per durable store commit.
 *
 * @example
 * ```ts
 * const result = await store.commit([{ op: 'put', collection: 'c', key: 'k', value: 1 }]);
 * revisionOf(result, 'c', 'k'); // 1
 * ```
 */
export interface CommitResult {
  readonly revisions: readonly RevisionEntry[];
  readonly sequence: number;
}

/**
 * Options of {@link Store.query}. Results are ordered by key (code unit order)
 * so every store returns the same page.
 *
 * @example
 * ```ts
 * const page = await store.query('reports', { prefix: 'cookie-1/', after: lastKey, limit: 100 });
 * ```
 */
export interface QueryOptions {
  /** Only keys starting with this string. */
  readonly prefix?: string;
  /** Only keys strictly greater than this one (cursor for paging). */
  readonly after?: string;
  /** At most this many records. */
  readonly limit?: number;
}

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
  commit(batch: readonly WriteOp[]): Promise<CommitResult>;
  /**
   * Commits several requests as ONE durable commit, each planned inside the
   * store's transaction against what the requests before it left. Resolves
   * with one outcome per request: its result, or the error that refuses it
   * alone (conflict, missing record, invalid patch), which wrote nothing.
   * Rejects only if the whole commit failed. Optional: the persistence actor
   * uses it where a plan made from an earlier read could be stale by commit
   * time (a database other nodes write too), and plans itself otherwise.
   */
  commitGroup?(requests: ReadonlyArray<readonly WriteOp[]>): Promise<GroupOutcome[]>;
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
 * const outcomes = await store.commitGroup([batchA, batchB]);
 * for (const outcome of outcomes) if (!outcome.ok) console.warn(outcome.error.message);
 * ```
 */
export type GroupOutcome = { readonly ok: true; readonly result: CommitResult } | { readonly ok: false; readonly error: Error };

/**
 * The revision a commit gave `(collection, key)`, or `undefined` if it did not write it.
 *
 * @example
 * ```ts
 * const revision = revisionOf(await persistence.commit(batch), 'cookies', id);
 * ```
 */
export function revisionOf(result: CommitResult, collection: string, key: string): number | undefined {
  return result.revisions.find((entry) => entry.collection === collection && entry.key === key)?.revision;
}
