/**
 * A {@link Store} held in memory with the same semantics as the durable ones,
 * plus the fault seams the simulator drives: fail the next commit, hold
 * commits until released, and crash (lose what was not acknowledged).
 */
import { IndexedStore } from './indexed-store.js';
import type { Clock } from '../runtime/clock.js';
import { realClock } from '../runtime/clock.js';
import { PersistFailedError, StoreClosedError, StoreCrashedError } from './errors.js';
import { RecordIndex } from './record-index.js';
import type { CommitResult, Store, WriteOp } from './types.js';
import { validateBatch } from './write-ops.js';

/**
 * Options of {@link MemoryStore}.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ clock: new VirtualClock(), gate: (release) => scheduler.later(release) });
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
   * gate, commits complete on the next microtask.
   */
  readonly gate?: CommitGate;
}

/** Holds one commit until `release` (it lands) or `fail` (it fails, writing nothing). */
export type CommitGate = (release: () => void, fail: (error: Error) => void) => void;

interface HeldCommit {
  readonly settle: () => void;
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
  readonly #held = new Set<HeldCommit>();
  #chain: Promise<unknown> = Promise.resolve();
  #sequence = 0;
  #commits = 0;
  #failures: unknown[] = [];
  #closed = false;
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
    for (const held of [...this.#held]) {
      this.#held.delete(held);
      held.reject(crashed());
    }
    this.#epoch += 1;
  }

  override commit(batch: readonly WriteOp[]): Promise<CommitResult> {
    try {
      this.assertOpen();
      const ops = validateBatch(batch);
      // Commits complete in order, each planned against the state its predecessors left.
      const epoch = this.#epoch;
      const result = this.#chain.then(() => this.#commitNow(ops, epoch));
      this.#chain = result.catch(() => undefined);
      return result;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#chain;
  }

  async #commitNow(ops: readonly WriteOp[], epoch: number): Promise<CommitResult> {
    if (epoch !== this.#epoch) throw crashed();
    this.#commits += 1;
    if (this.#failures.length > 0) throw this.#failures.shift();
    const plan = this.index.plan(ops, this.#clock.now());
    if (plan.changes.length === 0) return { revisions: [], sequence: this.#sequence };
    await this.#hold();
    if (epoch !== this.#epoch) throw crashed();
    this.index.apply(plan.changes);
    this.#sequence += 1;
    return { revisions: plan.revisions, sequence: this.#sequence };
  }

  #hold(): Promise<void> {
    const gate = this.#gate;
    if (!gate) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const held: HeldCommit = {
        settle: () => {
          if (this.#held.delete(held)) resolve();
        },
        reject,
      };
      this.#held.add(held);
      gate(held.settle, (error) => {
        if (this.#held.delete(held)) reject(new PersistFailedError(`commit failed: ${error.message}`, { cause: error }));
      });
    });
  }

  protected assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('The memory store is closed.');
  }
}

function crashed(): StoreCrashedError {
  return new StoreCrashedError('Commit lost: the memory store crashed before it was acknowledged.');
}
