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

/** Reads of the state port: open to every actor. */
export interface StateReader {
  get<T = unknown>(collection: string, key: string): Promise<StoredRecord<T> | undefined>;
  query<T = unknown>(collection: string, options?: QueryOptions): Promise<StoredRecord<T>[]>;
}

/**
 * The state port the system is given (`steward/persistence`'s `Persistence`
 * implements it): reads, atomic durable commits, and a close. Actors never
 * see `commit`: they write through `ctx.save()`.
 */
export interface StatePort extends StateReader {
  commit(batch: readonly WriteOp[]): Promise<CommitResult>;
  close(): Promise<void>;
  /** Optional: subscribe to the port becoming unusable for good (its store lost its lock); the system then shuts down. */
  onUnusable?(listener: (error: Error) => void): void;
}

/** The revision `result` gave `(collection, key)`, if it wrote it. */
export function revisionOf(result: CommitResult, collection: string, key: string): number | undefined {
  return result.revisions.find((entry) => entry.collection === collection && entry.key === key)?.revision;
}
