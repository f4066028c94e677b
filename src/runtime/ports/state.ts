/** One stored record: a deep-frozen JSON value and its revision. */
export interface StoredRecord<T = unknown> {
  readonly collection: string;
  readonly key: string;
  readonly revision: number;
  readonly value: T;
  /** Clock time (ms) of the commit that wrote this revision. */
  readonly updatedAt: number;
}

/** One write of an atomic commit; `expectedRevision` makes it conditional (0: must not exist). */
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

/** The revision one write of a commit produced. */
export interface RevisionEntry {
  readonly collection: string;
  readonly key: string;
  readonly revision: number;
}

/** What a durable commit returns. */
export interface CommitResult {
  readonly revisions: readonly RevisionEntry[];
  readonly sequence: number;
}

/** Range of a query: a key prefix, a cursor and a limit. */
export interface QueryOptions {
  readonly prefix?: string;
  readonly after?: string;
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
