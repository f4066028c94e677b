/**
 * How the persistence actor commits one group of requests: planned one by one
 * against the state the earlier ones leave, so a conflict rejects only the
 * request that caused it, and only once the group's commit has settled: a
 * caller told "conflict" re-reads the winner's durable revision, never the old
 * one. A group of one goes to the store as it is; a store that plans in its
 * own transaction (PgStore) gets the group as it is. Transient failures are
 * retried.
 * @internal
 */
import type { Clock, Fence } from '../runtime/ports/index.js';
import {
  CommitOutcomeUnknownError,
  InvalidWriteError,
  LockLostError,
  PersistFailedError,
  RecordNotFoundError,
  RevisionConflictError,
} from './errors.js';
import { currentState, GroupState, planGroup } from './group-plan.js';
import type { BatchPlan } from './record-index.js';
import { withRetry, type RetryOptions } from './retry.js';
import type { CommitResult, GroupOutcome, Store, WriteOp } from './types.js';

/** One queued commit request. @internal */
export interface GroupRequest {
  readonly ops: readonly WriteOp[];
  /** The lease the writes are made under: the store checks it in the commit's transaction. */
  readonly fence: Fence | undefined;
  readonly resolve: (result: CommitResult) => void;
  readonly reject: (error: unknown) => void;
}

/** The counters group commits keep (the persistence actor's stats, shared). @internal */
export interface CommitStats {
  storeCommits: number;
  conflicts: number;
  failedCommits: number;
}

/** Commits groups of requests to one store, one group at a time. @internal */
export class GroupCommits {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #retry: RetryOptions | undefined;
  readonly #stats: CommitStats;
  readonly #requeue: (requests: GroupRequest[]) => void;
  /** Store commits tried for the group in flight (one group is in flight at a time). */
  #tries = 0;

  /** `requeue` takes back requests refused against a plan that never became durable: they go first in the next group. */
  constructor(store: Store, clock: Clock, retry: RetryOptions | undefined, stats: CommitStats, requeue: (requests: GroupRequest[]) => void) {
    this.#store = store;
    this.#clock = clock;
    this.#retry = retry;
    this.#stats = stats;
    this.#requeue = requeue;
  }

  /** Commits `group` as one store commit (or in the store's own transaction) and settles each request. */
  async commit(group: readonly GroupRequest[]): Promise<void> {
    const fenced = group.some((request) => request.fence !== undefined);
    if (group.length === 1 && !fenced) return this.#commitAlone(group[0] as GroupRequest);
    if (this.#store.commitGroup) return this.#commitInStore(group, this.#store.commitGroup.bind(this.#store));
    let planned: Array<{ request: GroupRequest; plan: BatchPlan }>;
    const refused: Array<{ request: GroupRequest; error: unknown }> = [];
    try {
      const state = currentState(this.#store, group);
      planned = planGroup(group, state instanceof GroupState ? state : await state, this.#clock.now(), refused);
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
      this.#requeue(refused.map(({ request }) => request));
    }
  }

  /**
   * A group of one needs no planning here: the store checks the same batch
   * against the same state, and its refusal (a conflict, a missing record)
   * concerns this request alone, so it is passed on as it is.
   */
  async #commitAlone(request: GroupRequest): Promise<void> {
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
  async #commitInStore(group: readonly GroupRequest[], commitGroup: NonNullable<Store['commitGroup']>): Promise<void> {
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
        this.#retry,
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
      this.#retry,
    );
  }
}
