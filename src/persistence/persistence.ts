/**
 * The persistence actor: the only code that writes to the store. Requests
 * queue in arrival order; while one store commit is in flight the next ones
 * wait, and then all of them go down as ONE durable commit (group commit,
 * group-commits.ts), after which each is acknowledged on its own.
 */
import { channel } from 'node:diagnostics_channel';
import type { CommitOptions } from '../runtime/ports/index.js';
import { realClock } from '../runtime/ports/index.js';
import { nextMicrotask } from '../runtime/ports/index.js';
import { InvalidWriteError, StoreClosedError } from './errors.js';
import { GroupCommits, type CommitStats, type GroupRequest } from './group-commits.js';
import type { IndexPage, IndexQuery, IndexSpec } from './index-query.js';
import { InvalidQueryError } from './index-query.js';
import type { CommitResult, QueryOptions, Store, StoredRecord, WriteOp } from './types.js';
import { validateBatch } from './write-ops.js';
import type { PersistenceOptions, PersistenceStats } from './persistence-options.js';

export type { PersistenceOptions, PersistenceStats } from './persistence-options.js';

/**
 * `steward:persistence.commit`: one message per group of requests the
 * persistence actor committed, `{ requests, writes, storeCommits, durationMs }`
 * (`storeCommits` counts retries; 0 when every request was refused before the store).
 */
export const PERSISTENCE_COMMIT_CHANNEL = 'steward:persistence.commit';
const groupChannel = channel(PERSISTENCE_COMMIT_CHANNEL);

/**
 * The sole writer. Acknowledges a request only after its writes are durable.
 *
 * @example
 * ```ts
 * declare const cookie: CookieState;
 * declare const known: number; // the revision it was read at
 * declare const report: RotationReport;
 * const persistence = new Persistence(await LowdbStore.open({ dir: './data' }));
 * const { revisions } = await persistence.commit([
 *   { op: 'put', collection: COOKIES, key: cookie.cookieId, value: cookie, expectedRevision: known },
 *   { op: 'put', collection: COOKIE_REPORTS, key: `${cookie.cookieId}/1`, value: report, expectedRevision: 0 },
 * ]);
 * ```
 */
export class Persistence {
  readonly #store: Store;
  readonly #options: PersistenceOptions;
  #queue: GroupRequest[] = [];
  /** A flush is scheduled or a group is in flight. */
  #flushing = false;
  /** Called once the last flush finds nothing queued (close waits on it). */
  #onIdle: (() => void) | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #stats: CommitStats & { requests: number } = { requests: 0, storeCommits: 0, conflicts: 0, failedCommits: 0 };
  readonly #commits: GroupCommits;

  constructor(store: Store, options: PersistenceOptions = {}) {
    this.#store = store;
    this.#options = options;
    this.#commits = new GroupCommits(store, options.clock ?? realClock, options.retry, this.#stats, (requests) => this.#queue.unshift(...requests));
  }

  get stats(): PersistenceStats {
    return { ...this.#stats };
  }

  /**
   * Commits `batch` atomically; resolves once it is durable. Rejects with
   * `ERR_INVALID_WRITE` (bad input), `ERR_REVISION_CONFLICT` or
   * `ERR_RECORD_NOT_FOUND` (this batch only), `ERR_PERSIST_FAILED` (the store
   * commit failed; nothing written), `ERR_COMMIT_OUTCOME_UNKNOWN` (it may have
   * been written; never retried), `ERR_LOCK_LOST` or `ERR_STORE_CLOSED`.
   * With `options.fence`, `ERR_FENCED` (this batch only) if that lease no
   * longer stands; a store that cannot check fences (an embedded one)
   * refuses fenced batches with `ERR_INVALID_WRITE`.
   */
  commit(batch: readonly WriteOp[], options: CommitOptions = {}): Promise<CommitResult> {
    if (this.#closed) return Promise.reject(new StoreClosedError('The persistence actor is closed; no more commits are accepted.'));
    const fence = options.fence;
    let ops: WriteOp[];
    try {
      ops = validateBatch(batch);
      if (fence && !this.#store.commitGroup) throw new InvalidWriteError(`This store cannot check fences: a batch fenced by ${fence.node}'s lease on ${fence.type}/${fence.key} needs a PgStore.`);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#stats.requests += 1;
    return new Promise<CommitResult>((resolve, reject) => {
      this.#queue.push({ ops, fence, resolve, reject });
      if (this.#flushing) return;
      this.#flushing = true;
      // One microtask first, so requests made in the same tick share the first commit too.
      nextMicrotask(this.#flush);
    });
  }

  get<T = unknown>(collection: string, key: string): Promise<StoredRecord<T> | undefined> {
    if (this.#closed) return Promise.reject(new StoreClosedError('The persistence actor is closed.'));
    return this.#store.get<T>(collection, key);
  }

  query<T = unknown>(collection: string, options?: QueryOptions): Promise<StoredRecord<T>[]> {
    if (this.#closed) return Promise.reject(new StoreClosedError('The persistence actor is closed.'));
    return this.#store.query<T>(collection, options);
  }

  /** Declares a secondary index on the store; `ERR_INVALID_QUERY` if the store has no secondary indexes. */
  defineIndex(collection: string, spec: IndexSpec): Promise<void> {
    if (this.#closed) return Promise.reject(new StoreClosedError('The persistence actor is closed.'));
    if (!this.#store.defineIndex) return Promise.reject(noIndexes());
    return this.#store.defineIndex(collection, spec);
  }

  /** One page of an index query, read from the store (acknowledged records only). */
  queryIndex<T = unknown>(collection: string, index: string, query?: IndexQuery): Promise<IndexPage<T>> {
    if (this.#closed) return Promise.reject(new StoreClosedError('The persistence actor is closed.'));
    if (!this.#store.queryIndex) return Promise.reject(noIndexes());
    return this.#store.queryIndex<T>(collection, index, query);
  }

  /**
   * Calls `listener` once if the store becomes unusable for good (its lock
   * lost); an `ActorSystem` stops itself on it. Returns an unsubscribe.
   */
  onUnusable(listener: (error: Error) => void): () => void {
    return this.#store.onUnusable?.(listener) ?? (() => undefined);
  }

  /**
   * Refuses new commits, finishes the queued ones, then closes the store
   * (unless `closeStore: false`). Every call returns the same promise.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= (async () => {
      if (this.#flushing) await new Promise<void>((resolve) => (this.#onIdle = resolve));
      if (this.#options.closeStore !== false) await this.#store.close();
    })();
    return this.#closing;
  }

  /**
   * Commits everything queued as one group, then looks again: what queued
   * while a group was in flight becomes the next group. A plain callback
   * chain rather than an async loop: this runs once per durable commit.
   */
  readonly #flush = (): void => {
    const group = this.#queue;
    if (group.length === 0) {
      this.#flushing = false;
      this.#onIdle?.();
      return;
    }
    this.#queue = [];
    if (!groupChannel.hasSubscribers) {
      void this.#commits.commit(group).then(this.#flush);
      return;
    }
    const startedAt = performance.now();
    const storeCommits = this.#stats.storeCommits;
    void this.#commits.commit(group).then(() => {
      const writes = group.reduce((total, request) => total + request.ops.length, 0);
      if (groupChannel.hasSubscribers) groupChannel.publish({ requests: group.length, writes, storeCommits: this.#stats.storeCommits - storeCommits, durationMs: performance.now() - startedAt });
      this.#flush();
    });
  };
}

function noIndexes(): InvalidQueryError {
  return new InvalidQueryError('This store has no secondary indexes (defineIndex / queryIndex).');
}
