/**
 * The embedded default store: a lowdb snapshot plus an append-only journal in
 * one locked data directory. Reads come from an in-memory index; a commit is
 * one journal append and one fdatasync, so its cost does not grow with the
 * store. When the journal grows, a new journal is started and a frozen view of
 * the index is written as the next snapshot in the background.
 */
import { IndexedStore } from './indexed-store.js';
import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Clock } from '../runtime/clock.js';
import { realClock } from '../runtime/clock.js';
import type { LockOwner } from './dir-lock.js';
import { DirectoryLock } from './dir-lock.js';
import { PersistFailedError, StoreClosedError, StoreLockedError } from './errors.js';
import { fsyncDir } from './fs-durable.js';
import type { JournalFaultPoint, JournalWrite } from './journal.js';
import { encodeEntry, JournalWriter } from './journal.js';
import type { Migration } from './migrations.js';
import { targetVersion } from './migrations.js';
import type { RecordIndex } from './record-index.js';
import { journalPath, recover, SNAPSHOT_FILE } from './recover.js';
import { writeSnapshotInChunks } from './snapshot.js';
import type { CommitResult, Store, WriteOp } from './types.js';
import { validateBatch } from './write-ops.js';

/**
 * Something the store did that an operator may want to see.
 *
 * @example
 * ```ts
 * await LowdbStore.open({ onEvent: (event) => event.type === 'lock-lost' && alert(event.owner) });
 * ```
 */
export type LowdbStoreEvent =
  | { readonly type: 'opened'; readonly records: number; readonly replayed: number; readonly migrated: number }
  | { readonly type: 'compaction-started'; readonly sequence: number; readonly records: number }
  | { readonly type: 'compaction-finished'; readonly sequence: number; readonly bytes: number; readonly durationMs: number }
  | { readonly type: 'compaction-failed'; readonly error: unknown }
  | { readonly type: 'lock-lost'; readonly owner: LockOwner };

/**
 * Options of {@link LowdbStore.open}.
 *
 * @example
 * ```ts
 * await LowdbStore.open({ dir: '/var/lib/app', schemaVersion: 3, migrations, lock: { staleAfterMs: 60_000 } });
 * ```
 */
export interface LowdbStoreOptions {
  /** The data directory (created if missing). Default `./data`. */
  readonly dir?: string;
  /** Stamps records and drives the lock heartbeat. Default: the real clock. */
  readonly clock?: Clock;
  /** Ordered migrations; each runs once when the store is opened at an older schema. */
  readonly migrations?: readonly Migration[];
  /** The schema version this code writes. Default: the highest migration version, or 1. */
  readonly schemaVersion?: number;
  /**
   * Journal size that triggers a compaction, at least; the threshold is never
   * below the last snapshot's size, so compaction work stays proportional to
   * the writes it absorbs (amortized O(1) per write at any store size). Default 4 MiB.
   */
  readonly compactAfterBytes?: number;
  /** Records serialized per compaction step (smaller steps interleave more finely with commits). Default 1000. */
  readonly compactionChunkRecords?: number;
  /** Lock heartbeat period and staleness; see DirectoryLock. */
  readonly lock?: { readonly heartbeatMs?: number; readonly staleAfterMs?: number };
  readonly onEvent?: (event: LowdbStoreEvent) => void;
}

const DEFAULT_COMPACT_BYTES = 4 * 1024 * 1024;

/**
 * The durable, embedded {@link Store}.
 *
 * @example
 * ```ts
 * const store = await LowdbStore.open({ dir: './data', migrations });
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
  #journal: JournalWriter;
  /** Journal files not yet absorbed by a snapshot, oldest first; the last is #journal. */
  #journals: string[];
  #sequence: number;
  #snapshotBytes: number;
  #chain: Promise<unknown> = Promise.resolve();
  #compaction: Promise<void> | undefined;
  #compactions = 0;
  #closed = false;

  private constructor(fields: {
    dir: string;
    clock: Clock;
    lock: DirectoryLock;
    index: RecordIndex;
    schemaVersion: number;
    options: LowdbStoreOptions;
    journal: JournalWriter;
    journals: string[];
    sequence: number;
    snapshotBytes: number;
  }) {
    super(fields.index);
    this.dir = fields.dir;
    this.#clock = fields.clock;
    this.#lock = fields.lock;
    this.#schemaVersion = fields.schemaVersion;
    this.#options = fields.options;
    this.#journal = fields.journal;
    this.#journals = fields.journals;
    this.#sequence = fields.sequence;
    this.#snapshotBytes = fields.snapshotBytes;
  }

  /**
   * Locks `dir`, recovers it (snapshot, journal replay, migrations) and
   * returns the open store. Throws `ERR_STORE_LOCKED` if another live runtime
   * owns the directory, `ERR_SCHEMA_TOO_NEW` if newer code wrote it.
   */
  static async open(options: LowdbStoreOptions = {}): Promise<LowdbStore> {
    const dir = resolve(options.dir ?? './data');
    const clock = options.clock ?? realClock;
    await mkdir(dir, { recursive: true });
    await fsyncDir(resolve(dir, '..'));
    let store: LowdbStore | undefined;
    const lock = await DirectoryLock.acquire(dir, {
      clock,
      ...options.lock,
      onLost: (owner) => {
        if (store) store.#emit({ type: 'lock-lost', owner });
      },
    });
    try {
      const recovered = await recover(dir, options.migrations ?? [], targetVersion(options.migrations ?? [], options.schemaVersion));
      const journals = [...recovered.journals];
      if (journals.length === 0) journals.push(journalPath(dir, recovered.sequence + 1));
      const active = journals[journals.length - 1] as string;
      const journal = await JournalWriter.open(active, recovered.lastJournalBytes);
      await fsyncDir(dir);
      const opened = new LowdbStore({
        dir,
        clock,
        lock,
        index: recovered.index,
        schemaVersion: recovered.schemaVersion,
        options,
        journal,
        journals,
        sequence: recovered.sequence,
        snapshotBytes: recovered.snapshotBytes,
      });
      store = opened;
      opened.#emit({ type: 'opened', records: recovered.index.size, replayed: recovered.replayed, migrated: recovered.migrated });
      // A long replay means the next open would replay it again: compact it away in the background.
      if (journal.size >= opened.#compactAfter()) opened.#chain = opened.#chain.then(() => opened.#rotate());
      return opened;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Counters for tests, benchmarks and `inspect`. */
  get stats(): { records: number; sequence: number; schemaVersion: number; journalBytes: number; journals: number; compactions: number } {
    return {
      records: this.index.size,
      sequence: this.#sequence,
      schemaVersion: this.#schemaVersion,
      journalBytes: this.#journal.size,
      journals: this.#journals.length,
      compactions: this.#compactions,
    };
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

  /**
   * Makes the next commit fail like a real I/O error: `'write'` leaves half a
   * line in the journal, `'sync'` fails the fsync after a full line. Either way
   * the store rolls the journal back and the commit changes nothing.
   */
  failNextCommit(point: JournalFaultPoint = 'sync'): void {
    this.#journal.injectFault(point);
  }

  /** Starts a compaction now (unless one is running) and waits for it. */
  async compact(): Promise<void> {
    this.assertOpen();
    const rotated = this.#chain.then(() => this.#rotate());
    this.#chain = rotated.catch(() => undefined);
    await rotated;
    await this.#compaction;
  }

  /** Waits for pending commits and compaction, closes the journal, releases the lock. */
  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#chain;
    await this.#compaction;
    await this.#journal.close();
    await this.#lock.release();
  }

  async #commitNow(ops: readonly WriteOp[]): Promise<CommitResult> {
    if (this.#lock.lost) {
      throw new StoreLockedError(`Data directory ${this.dir} was taken over by another process; this store can no longer write.`);
    }
    const now = this.#clock.now();
    const plan = this.index.plan(ops, now);
    if (plan.changes.length === 0) return { revisions: [], sequence: this.#sequence };
    const sequence = this.#sequence + 1;
    const writes = plan.changes.map(({ collection, key, record }): JournalWrite => (record ? [collection, key, record.revision, record.value] : [collection, key]));
    try {
      await this.#journal.append(encodeEntry({ s: sequence, t: now, w: writes }));
    } catch (error) {
      throw new PersistFailedError(`Commit ${sequence} to ${this.dir} failed; nothing was written.`, { cause: error });
    }
    this.index.apply(plan.changes);
    this.#sequence = sequence;
    if (this.#compaction === undefined && this.#journal.size >= this.#compactAfter()) await this.#rotate();
    return { revisions: plan.revisions, sequence };
  }

  #compactAfter(): number {
    return Math.max(this.#options.compactAfterBytes ?? DEFAULT_COMPACT_BYTES, this.#snapshotBytes);
  }

  /**
   * Runs between two commits: starts a fresh journal and freezes the index,
   * then lets the snapshot be written in the background while commits go on.
   * A failure here leaves the old journal in use; the commit already succeeded.
   */
  async #rotate(): Promise<void> {
    if (this.#compaction !== undefined || this.#journal.size === 0) return;
    try {
      const next = await JournalWriter.open(journalPath(this.dir, this.#sequence + 1), 0);
      await fsyncDir(this.dir);
      const previous = this.#journal;
      this.#journal = next;
      this.#journals.push(next.path);
      await previous.close();
    } catch (error) {
      this.#emit({ type: 'compaction-failed', error });
      return;
    }
    const frozen = this.index.freeze();
    const sequence = this.#sequence;
    const absorbed = this.#journals.slice(0, -1);
    this.#emit({ type: 'compaction-started', sequence, records: this.index.size });
    const started = this.#clock.now();
    this.#compaction = (async () => {
      try {
        const bytes = await writeSnapshotInChunks(
          resolve(this.dir, SNAPSHOT_FILE),
          { schemaVersion: this.#schemaVersion, sequence },
          frozen,
          this.#options.compactionChunkRecords,
        );
        for (const path of absorbed) await rm(path, { force: true });
        await fsyncDir(this.dir);
        this.#journals = this.#journals.filter((path) => !absorbed.includes(path));
        this.#snapshotBytes = bytes;
        this.#compactions += 1;
        this.#emit({ type: 'compaction-finished', sequence, bytes, durationMs: this.#clock.now() - started });
      } catch (error) {
        // The journals are still there, so nothing is lost; the next rotation retries.
        this.#emit({ type: 'compaction-failed', error });
      } finally {
        this.#compaction = undefined;
      }
    })();
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
  }
}
