/**
 * The persistence actor: the only code that writes to the store. Requests
 * queue in arrival order; while one store commit is in flight the next ones
 * wait, and then all of them go down as ONE durable commit (group commit),
 * after which each is acknowledged on its own. Requests are planned one by one
 * against the state the earlier ones leave, so a conflict rejects only the
 * request that caused it, and only once the group's commit has settled: a
 * caller told "conflict" re-reads the winner's durable revision, never the old one.
 */
import { channel } from 'node:diagnostics_channel';
import type { Clock, CommitOptions, Fence } from '../runtime/ports/index.js';
import { realClock } from '../runtime/ports/index.js';
import { nextMicrotask } from '../runtime/ports/index.js';
import {
  CommitOutcomeUnknownError,
  InvalidWriteError,
  LockLostError,
  PersistFailedError,
  RecordNotFoundError,
  RevisionConflictError,
  StoreClosedError,
} from './errors.js';
import type { IndexPage, IndexQuery, IndexSpec } from './index-query.js';
import { InvalidQueryError } from './index-query.js';
import { currentState, planGroup } from './group-plan.js';
import type { BatchPlan } from './record-index.js';
import { withRetry } from './retry.js';
import type { CommitResult, GroupOutcome, QueryOptions, Store, StoredRecord, WriteOp } from './types.js';
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

interface Request {
  readonly ops: readonly WriteOp[];
  /** The lease the writes are made under: the store checks it in the commit's transaction. */
  readonly fence: Fence | undefined;
  readonly resolve: (result: CommitResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The sole writer. Acknowledges a request only after its writes are durable.
 *
 * @example
 * ```ts
 * const persistence = new Persistence(await LowdbStore.open({ dir: './data' }));
 * const { revisions } = await persistence.commit([
 *   { op: 'put', collection: 'cookies', key: id, value: cookie, expectedRevision: known },
 *   { op: 'put', collection: 'reports', key: reportId, value: report, expectedRevision: 0 },
 * ]);
 * ```
 */
export class Persistence {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #options: PersistenceOptions;
  #queue: Request[] = [];
  /** A flush is scheduled or a group is in flight. */
  #flushing = false;
  /** Called once the last flush finds nothing queued (close waits on it). */
  #onIdle: (() => void) | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Store commits tried for the group in flight (one group is in flight at a time). */
  #tries = 0;
  #stats = { requests: 0, storeCommits: 0, conflicts: 0, failedCommits: 0 };

  constructor(store: Store, options: PersistenceOptions = {}) {
    this.#store = store;
    this.#clock = options.clock ?? realClock;
    this.#options = options;
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
      void this.#commitGroup(group).then(this.#flush);
      return;
    }
    const startedAt = performance.now();
    const storeCommits = this.#stats.storeCommits;
    void this.#commitGroup(group).then(() => {
      const writes = group.reduce((total, request) => total + request.ops.length, 0);
      if (groupChannel.hasSubscribers) groupChannel.publish({ requests: group.length, writes, storeCommits: this.#stats.storeCommits - storeCommits, durationMs: performance.now() - startedAt });
      this.#flush();
    });
  };

  async #commitGroup(group: readonly Request[]): Promise<void> {
    const fenced = group.some((request) => request.fence !== undefined);
    if (group.length === 1 && !fenced) return this.#commitAlone(group[0] as Request);
    if (this.#store.commitGroup) return this.#commitInStore(group, this.#store.commitGroup.bind(this.#store));
    let planned: Array<{ request: Request; plan: BatchPlan }>;
    const refused: Array<{ request: Request; error: unknown }> = [];
    try {
      const state = currentState(this.#store, group);
      planned = planGroup(group, state instanceof Map ? state : await state, this.#clock.now(), refused);
    } catch (error) {
      for (const request of group) request.reject(new PersistFailedError(`Could not read current revisions before committing; nothing was written.`, { cause: error }));
      return;
    }
    if (planned.length === 0) {
      // Refused against durable state alone (no earlier request of the group wrote anything).
      this.#stats.conflicts += refused.length;
      for (const { request, error } of refused) request.reject(error);
      return;
    }
    const merged = planned.flatMap(({ request }) => request.ops);
    try {
      const result = await this.#storeCommit(merged);
      for (const { request, plan } of planned) request.resolve({ revisions: plan.revisions, sequence: result.sequence });
      // Refusals only now: what they conflicted with is durable, so a re-read sees it.
      this.#stats.conflicts += refused.length;
      for (const { request, error } of refused) request.reject(error);
    } catch (error) {
      this.#stats.failedCommits += 1;
      const failure =
        error instanceof RevisionConflictError || error instanceof LockLostError || error instanceof CommitOutcomeUnknownError
          ? error // a conflict: another writer got there first (possible only with a shared store); the caller re-reads
          : new PersistFailedError(
              `Commit of ${planned.length} request(s) (${merged.length} write(s)) failed after ${this.#tries} attempt(s); nothing was written.`,
              { cause: error },
            );
      for (const { request } of planned) request.reject(failure);
      // What the refused ones were checked against never happened: they go again, against durable state.
      this.#queue.unshift(...refused.map(({ request }) => request));
    }
  }

  /**
   * A group of one needs no planning here: the store checks the same batch
   * against the same state, and its refusal (a conflict, a missing record)
   * concerns this request alone, so it is passed on as it is.
   */
  async #commitAlone(request: Request): Promise<void> {
    try {
      request.resolve(await this.#storeCommit(request.ops));
    } catch (error) {
      if (error instanceof RevisionConflictError || error instanceof RecordNotFoundError || error instanceof InvalidWriteError) {
        this.#stats.conflicts += 1;
        request.reject(error);
        return;
      }
      this.#stats.failedCommits += 1;
      if (error instanceof LockLostError || error instanceof CommitOutcomeUnknownError) {
        request.reject(error);
        return;
      }
      request.reject(new PersistFailedError(`Commit of 1 request (${request.ops.length} write(s)) failed after ${this.#tries} attempt(s); nothing was written.`, { cause: error }));
    }
  }

  /**
   * A store that plans inside its own transaction (a database other nodes
   * write too) gets the requests as they are: a plan made here from an earlier
   * read could be stale by the time the group commits.
   */
  async #commitInStore(group: readonly Request[], commitGroup: NonNullable<Store['commitGroup']>): Promise<void> {
    let outcomes: GroupOutcome[];
    this.#tries = 1;
    try {
      outcomes = await withRetry(
        (tries) => {
          this.#tries = tries;
          this.#stats.storeCommits += 1;
          return commitGroup(
            group.map((request) => request.ops),
            group.map((request) => request.fence),
          );
        },
        this.#clock,
        this.#options.retry,
      );
    } catch (error) {
      this.#stats.failedCommits += 1;
      const failure = new PersistFailedError(`Commit of ${group.length} request(s) failed after ${this.#tries} attempt(s); nothing was written.`, { cause: error });
      for (const request of group) request.reject(failure);
      return;
    }
    group.forEach((request, index) => {
      const outcome = outcomes[index] as GroupOutcome;
      if (outcome.ok) return request.resolve(outcome.result);
      this.#stats.conflicts += 1;
      request.reject(outcome.error);
    });
  }

  /** One store commit of `ops`, transient failures retried (counted in {@link #tries}). */
  #storeCommit(ops: readonly WriteOp[]): Promise<CommitResult> {
    this.#tries = 1;
    // An empty batch writes nothing and only reports the current sequence: nothing to retry.
    if (ops.length === 0) return this.#store.commit([]);
    return withRetry(
      (tries) => {
        this.#tries = tries;
        this.#stats.storeCommits += 1;
        return this.#store.commit(ops);
      },
      this.#clock,
      this.#options.retry,
    );
  }
}

function noIndexes(): InvalidQueryError {
  return new InvalidQueryError('This store has no secondary indexes (defineIndex / queryIndex).');
}
