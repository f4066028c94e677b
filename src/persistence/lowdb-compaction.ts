/**
 * The journals of a {@link LowdbStore} and their compaction: which journal
 * commits append to, which older ones a snapshot has yet to absorb, and the
 * background write of that snapshot. Rotation runs between two commits (the
 * store's chain calls it); the snapshot is written while commits go on.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Clock } from '../runtime/ports/index.js';
import type { DirectoryLock } from './dir-lock.js';
import { fsyncDir } from './fs-durable.js';
import { JournalWriter } from './journal.js';
import type { LowdbStoreEvent, LowdbStoreOptions } from './lowdb-store-options.js';
import type { RecordIndex } from './record-index.js';
import { journalPath, SNAPSHOT_FILE } from './recover.js';
import { writeSnapshotInChunks } from './snapshot.js';

const DEFAULT_COMPACT_BYTES = 4 * 1024 * 1024;

/** @internal */
export interface CompactionFields {
  readonly dir: string;
  readonly clock: Clock;
  readonly lock: DirectoryLock;
  readonly index: RecordIndex;
  readonly schemaVersion: number;
  readonly options: LowdbStoreOptions;
  readonly emit: (event: LowdbStoreEvent) => void;
  /** The journal this owner appends to. */
  readonly journal: JournalWriter;
  /** Journal files not yet absorbed by a snapshot, oldest first; the last is `journal`. */
  readonly journals: string[];
  /** Bytes in the journals before `journal`. */
  readonly olderJournalBytes: number;
  readonly snapshotBytes: number;
}

/** @internal */
export class Compaction {
  readonly #fields: CompactionFields;
  #journal: JournalWriter;
  #journals: string[];
  /** Bytes in the journals before #journal (what a compaction absorbs besides it). */
  #olderJournalBytes: number;
  #snapshotBytes: number;
  #running: Promise<void> | undefined;
  #compactions = 0;
  #failDirSync = false;

  constructor(fields: CompactionFields) {
    this.#fields = fields;
    this.#journal = fields.journal;
    this.#journals = fields.journals;
    this.#olderJournalBytes = fields.olderJournalBytes;
    this.#snapshotBytes = fields.snapshotBytes;
  }

  /** The journal commits append to now. */
  get journal(): JournalWriter {
    return this.#journal;
  }

  get journalCount(): number {
    return this.#journals.length;
  }

  get compactions(): number {
    return this.#compactions;
  }

  /** The snapshot being written in the background, if any. */
  get running(): Promise<void> | undefined {
    return this.#running;
  }

  /** Test seam: the next rotation's directory fsync fails with EIO, after the fresh journal was created. */
  injectDirSyncFault(): void {
    this.#failDirSync = true;
  }

  /** Whether the journals have grown enough that a rotation should follow this commit. */
  get due(): boolean {
    return this.#running === undefined && this.#olderJournalBytes + this.#journal.size >= this.#compactAfter();
  }

  /** Whether the journals a recovery replayed are long enough to compact away right after opening. */
  replayIsLong(replayedBytes: number): boolean {
    return replayedBytes >= this.#compactAfter();
  }

  /**
   * Runs between two commits: starts a fresh journal (unless ours is still
   * empty) and freezes the index, then lets the snapshot of everything before
   * the fresh journal be written in the background while commits go on.
   * A failure here leaves the old journals in use; the commit already succeeded.
   */
  async rotate(sequence: number): Promise<void> {
    const { dir, lock, index, emit } = this.#fields;
    if (this.#running !== undefined || lock.lost) return;
    if (this.#journal.size > 0) {
      let next: JournalWriter | undefined;
      try {
        next = await JournalWriter.create(journalPath(dir, sequence + 1, lock.owner.generation));
        if (this.#failDirSync) {
          this.#failDirSync = false;
          throw Object.assign(new Error('Injected directory fsync failure'), { code: 'EIO' });
        }
        await fsyncDir(dir);
      } catch (error) {
        if (next) {
          await next.close().catch(() => undefined);
          await rm(next.path, { force: true }).catch(() => undefined);
        }
        emit({ type: 'compaction-failed', error });
        return;
      }
      const previous = this.#journal;
      this.#journal = next;
      this.#journals.push(next.path);
      this.#olderJournalBytes += previous.size;
      await previous.close().catch((error: unknown) => emit({ type: 'compaction-failed', error }));
    }
    const absorbed = this.#journals.slice(0, -1);
    if (absorbed.length === 0) return;
    const absorbedBytes = this.#olderJournalBytes;
    const frozen = index.freeze();
    emit({ type: 'compaction-started', sequence, records: index.size });
    this.#running = this.#writeSnapshot(sequence, absorbed, absorbedBytes, frozen);
  }

  async #writeSnapshot(sequence: number, absorbed: readonly string[], absorbedBytes: number, frozen: ReturnType<RecordIndex['freeze']>): Promise<void> {
    const { dir, clock, lock, schemaVersion, options, emit } = this.#fields;
    const started = clock.now();
    // Only the owner may replace the snapshot or delete journals: a fenced one that did could undo a new owner's work.
    const confirmLock = async (): Promise<void> => {
      if (lock.lost) throw lock.lost;
      if (!lock.fresh) await lock.renew();
    };
    try {
      const bytes = await writeSnapshotInChunks(resolve(dir, SNAPSHOT_FILE), { schemaVersion, sequence }, frozen, {
        chunkRecords: options.compactionChunkRecords,
        maxBytes: options.maxSnapshotBytes,
        beforeRename: confirmLock,
      });
      await confirmLock();
      for (const path of absorbed) await rm(path, { force: true });
      await fsyncDir(dir);
      this.#journals = this.#journals.filter((path) => !absorbed.includes(path));
      this.#olderJournalBytes -= absorbedBytes;
      this.#snapshotBytes = bytes;
      this.#compactions += 1;
      emit({ type: 'compaction-finished', sequence, bytes, durationMs: clock.now() - started });
    } catch (error) {
      // The journals are still there, so nothing is lost; the next rotation retries.
      emit({ type: 'compaction-failed', error });
    } finally {
      this.#running = undefined;
    }
  }

  /** Closes the journal; an empty one of ours holds nothing, so it leaves no file per open. */
  async closeJournal(): Promise<void> {
    const { dir, lock } = this.#fields;
    await this.#journal.close();
    if (this.#journal.size === 0 && !lock.lost) {
      await rm(this.#journal.path, { force: true });
      await fsyncDir(dir);
    }
  }

  #compactAfter(): number {
    return Math.max(this.#fields.options.compactAfterBytes ?? DEFAULT_COMPACT_BYTES, this.#snapshotBytes);
  }
}
