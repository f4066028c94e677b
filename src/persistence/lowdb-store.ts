/**
 * The embedded default store: a lowdb snapshot plus append-only journals in
 * one locked data directory. Reads come from an in-memory index; a commit is
 * one journal append and one fdatasync, so its cost does not grow with the
 * store. Each owner appends only to journals it created; when they grow, a
 * new journal is started and a frozen view of the index is written as the
 * next snapshot in the background.
 */
import { IndexedStore } from './indexed-store.js';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Clock } from '../runtime/ports/index.js';
import { realClock } from '../runtime/ports/index.js';
import { StewardError } from '../errors.js';
import { DirectoryLock } from './dir-lock.js';
import type { LockLostError } from './errors.js';
import type { LockOwner } from './lock-file.js';
import { CommitOutcomeUnknownError, PersistFailedError, StoreClosedError } from './errors.js';
import { fsyncDir } from './fs-durable.js';
import type { JournalFaultPoint, JournalWrite } from './journal.js';
import { encodeEntry, JournalWriter } from './journal.js';
import { Compaction, type CompactionFields } from './lowdb-compaction.js';
import type { LowdbStoreEvent, LowdbStoreOptions } from './lowdb-store-options.js';
import { targetVersion } from './migrations.js';
import { journalPath, recover } from './recover.js';
import type { CommitResult, QueryOptions, StoredRecord, WriteOp } from './types.js';
import { validateBatch } from './write-ops.js';

export type { LowdbStoreEvent, LowdbStoreOptions } from './lowdb-store-options.js';

/**
 * The durable, embedded {@link Store}.
 *
 * @example
 * ```ts
 * const store = await LowdbStore.open({ dir: './data', migrations: [] });
 * const persistence = new Persistence(store);
 * await persistence.commit([{ op: 'put', collection: 'jobs', key: 'j1', value: { status: 'queued' }, expectedRevision: 0 }]);
 * await persistence.close(); // closes the store and releases the directory lock
 * ```
 */
export class LowdbStore extends IndexedStore {
  readonly dir: string;
  readonly #clock: Clock;
  readonly #lock: DirectoryLock;
  readonly #schemaVersion: number;
  readonly #options: LowdbStoreOptions;
  readonly #compaction: Compaction;
  #sequence: number;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #unusable = new Set<(error: LockLostError) => void>();

  private constructor(fields: Omit<CompactionFields, 'emit'> & { readonly sequence: number }) {
    super(fields.index);
    this.dir = fields.dir;
    this.#clock = fields.clock;
    this.#lock = fields.lock;
    this.#schemaVersion = fields.schemaVersion;
    this.#options = fields.options;
    this.#sequence = fields.sequence;
    this.#compaction = new Compaction({ ...fields, emit: (event) => this.#emit(event) });
  }

  /**
   * Locks `dir`, recovers it (snapshot, journal replay, migrations) and
   * returns the open store. Throws `ERR_STORE_LOCKED` if another live runtime
   * owns the directory (or its lock file cannot be read), `ERR_SCHEMA_TOO_NEW`
   * if newer code wrote it, `ERR_STORE_CORRUPT` if its files are damaged.
   */
  static async open(options: LowdbStoreOptions = {}): Promise<LowdbStore> {
    const dir = resolve(options.dir ?? './data');
    const clock = options.clock ?? realClock;
    try {
      await mkdir(dir, { recursive: true });
      await fsyncDir(resolve(dir, '..'));
    } catch (error) {
      throw new PersistFailedError(`Could not create data directory ${dir} (${codeOf(error)}).`, { cause: error });
    }
    let store: LowdbStore | undefined;
    let lostEarly: LockLostError | undefined;
    const lock = await DirectoryLock.acquire(dir, {
      clock,
      ...options.lock,
      onLost: (error, owner) => {
        if (store) store.#lose(error, owner);
        else lostEarly = error;
      },
    });
    try {
      const recovered = await recover(dir, options.migrations ?? [], targetVersion(options.migrations ?? [], options.schemaVersion));
      // A new owner never appends to an earlier owner's journal: it starts one of its own lock generation.
      const journal = await JournalWriter.create(journalPath(dir, recovered.sequence + 1, lock.owner.generation));
      await fsyncDir(dir).catch(async (error: unknown) => {
        await journal.close().catch(() => undefined);
        throw error;
      });
      if (lostEarly) throw lostEarly;
      const opened = new LowdbStore({
        dir,
        clock,
        lock,
        index: recovered.index,
        schemaVersion: recovered.schemaVersion,
        options,
        journal,
        journals: [...recovered.journals, journal.path],
        olderJournalBytes: recovered.journalBytes,
        sequence: recovered.sequence,
        snapshotBytes: recovered.snapshotBytes,
      });
      store = opened;
      opened.#emit({ type: 'opened', records: recovered.index.size, replayed: recovered.replayed, migrated: recovered.migrated });
      // A long replay means the next open would replay it again: compact it away in the background.
      if (opened.#compaction.replayIsLong(recovered.journalBytes)) opened.#chain = opened.#chain.then(() => opened.#rotate());
      return opened;
    } catch (error) {
      await lock.release().catch(() => undefined);
      if (error instanceof StewardError) throw error;
      throw new PersistFailedError(`Could not open data directory ${dir} (${codeOf(error)}).`, { cause: error });
    }
  }

  /** Counters for tests, benchmarks and `inspect`. */
  get stats(): { records: number; sequence: number; schemaVersion: number; journalBytes: number; journals: number; compactions: number } {
    return {
      records: this.index.size,
      sequence: this.#sequence,
      schemaVersion: this.#schemaVersion,
      journalBytes: this.#compaction.journal.size,
      journals: this.#compaction.journalCount,
      compactions: this.#compaction.compactions,
    };
  }

  /**
   * Calls `listener` once if the store becomes unusable for good (its lock
   * was lost); returns an unsubscribe. See {@link Store.onUnusable}.
   */
  onUnusable(listener: (error: LockLostError) => void): () => void {
    const lost = this.#lock.lost;
    if (lost) {
      listener(lost);
      return () => undefined;
    }
    this.#unusable.add(listener);
    return () => this.#unusable.delete(listener);
  }

  override commit(batch: readonly WriteOp[]): Promise<CommitResult> {
    try {
      this.assertOpen();
      const ops = validateBatch(batch);
      const result = this.#chain.then(() => this.#commitNow(ops));
      this.#chain = result.catch(() => undefined);
      return result;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Reads after confirming the lock when it is not fresh, so a fenced owner never answers from a stale index. */
  override async get<T = unknown>(collection: string, key: string): Promise<StoredRecord<T> | undefined> {
    this.assertOpen();
    if (!this.#lock.fresh) await this.#lock.renew();
    return super.get<T>(collection, key);
  }

  override async query<T = unknown>(collection: string, options?: QueryOptions): Promise<StoredRecord<T>[]> {
    this.assertOpen();
    if (!this.#lock.fresh) await this.#lock.renew();
    return super.query<T>(collection, options);
  }

  /**
   * Makes the next commit fail like a real I/O error: `'write'` leaves half a
   * line in the journal (rolled back: `ERR_PERSIST_FAILED`), `'sync'` fails
   * the fdatasync after a full line (rolled back, but `ERR_COMMIT_OUTCOME_UNKNOWN`),
   * `'rollback'` tears the line and fails the truncate that would cut it back
   * (`ERR_COMMIT_OUTCOME_UNKNOWN`, and every later commit `ERR_PERSIST_FAILED`
   * until the store is reopened).
   */
  failNextCommit(point: JournalFaultPoint = 'sync'): void {
    this.#compaction.journal.injectFault(point);
  }

  /**
   * Makes the next journal rotation fail like a real I/O error at the
   * directory fsync, after the fresh journal was opened: it is closed and
   * removed, `compaction-failed` is emitted, and commits go on in the old one.
   */
  failNextRotation(): void {
    this.#compaction.injectDirSyncFault();
  }

  /** Starts a compaction now (unless one is running) and waits for it. */
  async compact(): Promise<void> {
    this.assertOpen();
    const rotated = this.#chain.then(() => this.#rotate());
    this.#chain = rotated.catch(() => undefined);
    await rotated;
    await this.#compaction.running;
  }

  /**
   * Waits for pending commits and compaction, closes the journal, releases
   * the lock. Every call returns the same promise; a failure is coded
   * (`ERR_PERSIST_FAILED`) and the lock's socket is closed regardless.
   */
  override close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#closeNow();
    return this.#closing;
  }

  async #closeNow(): Promise<void> {
    await this.#chain;
    await this.#compaction.running;
    const failures: unknown[] = [];
    try {
      await this.#compaction.closeJournal();
    } catch (error) {
      failures.push(new PersistFailedError(`Closing the journal of ${this.dir} failed (${codeOf(error)}); every acknowledged commit is on disk.`, { cause: error }));
    }
    try {
      await this.#lock.release();
    } catch (error) {
      failures.push(error);
    }
    if (failures.length > 0) throw failures[0];
  }

  async #commitNow(ops: readonly WriteOp[]): Promise<CommitResult> {
    if (this.#lock.lost) throw this.#lock.lost;
    if (!this.#lock.fresh) await this.#lock.renew(); // fenced: confirm the lock before writing
    const now = this.#clock.now();
    const plan = this.index.plan(ops, now);
    if (plan.changes.length === 0) return { revisions: [], sequence: this.#sequence };
    const sequence = this.#sequence + 1;
    const writes = plan.changes.map(({ collection, key, record }): JournalWrite => (record ? [collection, key, record.revision, record.value] : [collection, key]));
    try {
      await this.#compaction.journal.append(encodeEntry({ s: sequence, t: now, w: writes }));
    } catch (error) {
      const cause = (error as Error).cause ?? error;
      if (error instanceof CommitOutcomeUnknownError) {
        throw new CommitOutcomeUnknownError(`Commit ${sequence} to ${this.dir} may or may not be durable (${(error as Error).message}); re-read before retrying.`, { cause });
      }
      throw new PersistFailedError(`Commit ${sequence} to ${this.dir} failed; nothing was written.`, { cause });
    }
    if (!this.#lock.fresh) {
      // The write took so long the lock may have been taken over meanwhile: only a renewal says it was not.
      await this.#lock.renew().catch((error: unknown) => {
        throw new CommitOutcomeUnknownError(`Commit ${sequence} reached the journal of ${this.dir}, but the lock could not be confirmed afterwards; it may or may not survive.`, { cause: error });
      });
    }
    this.applyChanges(plan.changes);
    this.#sequence = sequence;
    if (this.#compaction.due) await this.#rotate();
    return { revisions: plan.revisions, sequence };
  }

  /** Between two commits: a fresh journal, and the older ones compacted into a snapshot in the background. */
  #rotate(): Promise<void> {
    return this.#compaction.rotate(this.#sequence);
  }

  #lose(error: LockLostError, owner: LockOwner | undefined): void {
    this.#emit({ type: 'lock-lost', owner, error });
    for (const listener of [...this.#unusable]) {
      try {
        listener(error);
      } catch {
        // A listener's bug must not keep the others from hearing.
      }
    }
    this.#unusable.clear();
  }

  #emit(event: LowdbStoreEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // An observer's bug must not break the store.
    }
  }

  protected assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(`The store at ${this.dir} is closed.`);
    if (this.#lock.lost) throw this.#lock.lost;
  }
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
}
