/**
 * A {@link Store} held in memory with the same semantics as the durable ones,
 * plus the fault seams the simulator drives: fail the next commit, hold
 * commits until released, and crash (lose what was not acknowledged).
 */
import { IndexedStore } from './indexed-store.js';
import type { Clock } from '../runtime/ports/index.js';
import { realClock } from '../runtime/ports/index.js';
import { nextMicrotask } from '../runtime/ports/index.js';
import { PersistFailedError, StoreClosedError, StoreCrashedError } from './errors.js';
import { RecordIndex, type BatchPlan } from './record-index.js';
import type { CommitResult, Store, WriteOp } from './types.js';
import { validateBatch } from './write-ops.js';

/**
 * Options of {@link MemoryStore}.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ clock: new VirtualClock(), gate: (release) => queueMicrotask(release) });
 * ```
 */
export interface MemoryStoreOptions {
  /** Stamps `updatedAt`; defaults to the real clock. */
  readonly clock?: Clock;
  /**
   * Called once per commit before it completes; the commit becomes durable
   * (and is acknowledged) only when `release` is called. Lets a deterministic
   * simulator decide when each commit lands. Calling `fail(error)` instead
   * fails that commit: nothing is written and it rejects with
   * `ERR_PERSIST_FAILED` (the simulator's failed-commit fault). Without a
   * gate, a commit lands as soon as the ones before it have (at once when the
   * store is idle); its promise settles on a later microtask, as promises do.
   */
  readonly gate?: CommitGate;
}

/** Holds one commit until `release` (it lands) or `fail` (it fails, writing nothing). */
export type CommitGate = (release: () => void, fail: (error: Error) => void) => void;

/** A commit waiting its turn; the head of the queue is the one in progress. */
interface QueuedCommit {
  readonly ops: readonly WriteOp[];
  /** The store's epoch when the commit was made: a crash since then loses it. */
  readonly epoch: number;
  readonly resolve: (result: CommitResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * In-memory store for tests and the simulator.
 *
 * @example
 * ```ts
 * const releases: Array<() => void> = [];
 * const store = new MemoryStore({ gate: (release) => releases.push(release) });
 * const pending = store.commit([{ op: 'put', collection: 'c', key: 'k', value: 1 }]);
 * releases.shift()?.(); // the commit becomes durable now
 * await pending;
 * ```
 */
export class MemoryStore extends IndexedStore {
  readonly #clock: Clock;
  readonly #gate: CommitGate | undefined;
  /** Commits in arrival order; each completes before the next starts, planned against what its predecessors left. */
  #queue: QueuedCommit[] = [];
  /** The head commit while its gate holds it. */
  #held: QueuedCommit | undefined;
  /** Called once the queue runs empty (close waits on it). */
  #onIdle: (() => void) | undefined;
  #sequence = 0;
  #commits = 0;
  #failures: unknown[] = [];
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Bumped by crash(): commits queued before a crash are lost with it. */
  #epoch = 0;

  constructor(options: MemoryStoreOptions = {}) {
    super(new RecordIndex());
    this.#clock = options.clock ?? realClock;
    this.#gate = options.gate;
  }

  /** Number of commits that reached the store (acknowledged, failed or discarded). */
  get commitCount(): number {
    return this.#commits;
  }

  /** Number of records stored. */
  get size(): number {
    return this.index.size;
  }

  /**
   * Makes the next commit fail with `error` (default: a PersistFailedError)
   * without changing anything. Calls queue up: n calls fail the next n commits.
   */
  failNextCommit(error?: unknown): void {
    this.#failures.push(error ?? new PersistFailedError('Injected commit failure (MemoryStore.failNextCommit).'));
  }

  /**
   * Simulates a process crash: every commit not yet acknowledged is lost and
   * rejects with `ERR_STORE_CRASHED`; acknowledged state survives and the
   * store keeps serving, as a restarted process would find it.
   */
  crash(): void {
    const held = this.#held;
    if (held) this.#fail(held, crashed());
    this.#epoch += 1;
  }

  override commit(batch: readonly WriteOp[]): Promise<CommitResult> {
    let ops: WriteOp[];
    try {
      this.assertOpen();
      ops = validateBatch(batch);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<CommitResult>((resolve, reject) => {
      this.#queue.push({ ops, epoch: this.#epoch, resolve, reject });
      if (this.#queue.length === 1) this.#startHead(); // idle: the gate sees the commit at once
    });
  }

  /** Waits for queued commits; every call returns the same promise. */
  override close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#queue.length > 0 ? new Promise<void>((resolve) => (this.#onIdle = resolve)) : Promise.resolve();
    return this.#closing;
  }

  /** Plans the head commit against the current state, then lands it at once or when the gate releases it. */
  readonly #startHead = (): void => {
    const commit = this.#queue[0];
    if (!commit) return;
    if (commit.epoch !== this.#epoch) return this.#fail(commit, crashed());
    this.#commits += 1;
    if (this.#failures.length > 0) return this.#fail(commit, this.#failures.shift());
    let plan: BatchPlan;
    try {
      plan = this.index.plan(commit.ops, this.#clock.now());
    } catch (error) {
      return this.#fail(commit, error);
    }
    if (plan.changes.length === 0) return this.#succeed(commit, { revisions: [], sequence: this.#sequence });
    const gate = this.#gate;
    if (!gate) return this.#land(commit, plan);
    this.#held = commit;
    gate(
      () => this.#held === commit && this.#land(commit, plan),
      (error) => this.#held === commit && this.#fail(commit, new PersistFailedError(`commit failed: ${error.message}`, { cause: error })),
    );
  };

  #land(commit: QueuedCommit, plan: BatchPlan): void {
    this.applyChanges(plan.changes);
    this.#sequence += 1;
    this.#succeed(commit, { revisions: plan.revisions, sequence: this.#sequence });
  }

  #succeed(commit: QueuedCommit, result: CommitResult): void {
    this.#advance(commit);
    commit.resolve(result);
  }

  #fail(commit: QueuedCommit, error: unknown): void {
    this.#advance(commit);
    commit.reject(error);
  }

  /** Takes the settled head off the queue and starts the next commit on a later microtask. */
  #advance(commit: QueuedCommit): void {
    this.#queue.shift();
    if (this.#held === commit) this.#held = undefined;
    if (this.#queue.length > 0) nextMicrotask(this.#startHead);
    else this.#onIdle?.();
  }

  protected assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('The memory store is closed.');
  }
}

function crashed(): StoreCrashedError {
  return new StoreCrashedError('Commit lost: the memory store crashed before it was acknowledged.');
}
