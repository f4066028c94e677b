import type { CommitOptions } from './ownership.js';

/**
 * One record as stored. `revision` starts at 1 on creation and grows by one on
 * every write; a record that does not exist has revision 0.
 *
 * @example
 * ```ts
 * const record = await store.get<CookieState>(COOKIES, 'c-1');
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
 * const cache = new Map<string, number>();
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
 * declare const lastKey: string; // the last key of the previous page
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

/** A value an index orders by: every field is declared `string` (code unit order) or `number`. */
export type IndexValue = string | number;

/**
 * One secondary index of a collection. A record enters it only when each
 * field is present with its declared type (a sparse index), so a field of the
 * wrong type never breaks the order. Ties are broken by record key.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * await store.defineIndex('jobs', { name: 'by-queue', fields: [{ name: 'queue', type: 'string' }, { name: 'status', type: 'string' }, { name: 'runAt', type: 'number' }] });
 * ```
 */
export interface IndexSpec {
  readonly name: string;
  readonly fields: readonly { readonly name: string; readonly type: 'string' | 'number' }[];
}

/**
 * A query of one index: `eq` fixes the leading fields, the bounds limit the
 * field right after them, `cursor` (a previous page's `next`) resumes after
 * the last record that page returned.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * const now = Date.now();
 * const page = await store.queryIndex<Job>('jobs', 'by-queue', { eq: ['media', 'queued'], lte: now, limit: 100 });
 * const more = page.next ? await store.queryIndex<Job>('jobs', 'by-queue', { eq: ['media', 'queued'], lte: now, limit: 100, cursor: page.next }) : undefined;
 * ```
 */
export interface IndexQuery {
  readonly eq?: readonly IndexValue[];
  readonly gt?: IndexValue;
  readonly gte?: IndexValue;
  readonly lt?: IndexValue;
  readonly lte?: IndexValue;
  /** Records per page, 1..10,000. Default 100. */
  readonly limit?: number;
  readonly cursor?: string;
}

/**
 * One page of an index query, in index order. `next` is set when the page is
 * full: pass it as `cursor` for the records after this page's last one.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * let cursor: string | undefined;
 * do {
 *   const page = await store.queryIndex<Job>('jobs', 'by-queue', cursor === undefined ? {} : { cursor });
 *   for (const record of page.records) console.log(record.key, record.value.status);
 *   cursor = page.next;
 * } while (cursor);
 * ```
 */
export interface IndexPage<T = unknown> {
  readonly records: StoredRecord<T>[];
  readonly next?: string;
}

/** Reads of the state port: open to every actor. */
export interface StateReader {
  get<T = unknown>(collection: string, key: string): Promise<StoredRecord<T> | undefined>;
  query<T = unknown>(collection: string, options?: QueryOptions): Promise<StoredRecord<T>[]>;
  /** Optional: declares a secondary index (idempotent); see {@link IndexSpec}. */
  defineIndex?(collection: string, spec: IndexSpec): Promise<void>;
  /** Optional: one page of `collection` in the order of its index `index`; see {@link IndexQuery}. */
  queryIndex?<T = unknown>(collection: string, index: string, query?: IndexQuery): Promise<IndexPage<T>>;
}

/**
 * The state port the system is given (`steward/persistence`'s `Persistence`
 * implements it): reads, atomic durable commits, and a close. Actors never
 * see `commit`: they write through `ctx.save()`.
 */
export interface StatePort extends StateReader {
  /** With `options.fence`, refused whole (`ERR_FENCED`) unless that lease still stands. */
  commit(batch: readonly WriteOp[], options?: CommitOptions): Promise<CommitResult>;
  close(): Promise<void>;
  /** Optional: subscribe to the port becoming unusable for good (its store lost its lock); the system then shuts down. */
  onUnusable?(listener: (error: Error) => void): void;
}

/** The revision `result` gave `(collection, key)`, if it wrote it. */
export function revisionOf(result: CommitResult, collection: string, key: string): number | undefined {
  return result.revisions.find((entry) => entry.collection === collection && entry.key === key)?.revision;
}
