/**
 * The append-only journal: one line per durable commit, `<crc32 hex> <json>\n`.
 * A commit is acknowledged only after its line is fdatasynced, so anything
 * after the last valid line can only be a commit that was never acknowledged
 * (a torn tail): it is ignored. A bad line *followed by* a good one is real
 * damage and refuses to open. Each owner of the directory writes journals of
 * its own (see recover.ts), so a file is only ever appended to by one process.
 * @internal
 */
import { open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { CommitOutcomeUnknownError, PersistFailedError, StoreCorruptError } from './errors.js';
import { writeAll } from './fs-durable.js';

/** A write as journaled: `[collection, key, revision, value]`, or `[collection, key]` for a delete. @internal */
export type JournalWrite = readonly [string, string, number, unknown] | readonly [string, string];

/** One committed batch: sequence, commit time, final state of each key written. @internal */
export interface JournalEntry {
  readonly s: number;
  readonly t: number;
  readonly w: readonly JournalWrite[];
}

/** Serializes an entry into one checksummed line. @internal */
export function encodeEntry(entry: JournalEntry): Buffer {
  const json = JSON.stringify(entry);
  return Buffer.from(`${crc32(json).toString(16).padStart(8, '0')} ${json}\n`);
}

function decodeLine(line: string): JournalEntry | undefined {
  if (line.length < 10 || line[8] !== ' ') return undefined;
  const json = line.slice(9);
  if (Number.parseInt(line.slice(0, 8), 16) !== crc32(json)) return undefined;
  try {
    const entry = JSON.parse(json) as JournalEntry;
    return Number.isInteger(entry.s) && Array.isArray(entry.w) ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** What a journal file holds: its good entries and where the good bytes end. @internal */
export interface JournalContents {
  readonly entries: JournalEntry[];
  /** Byte offset of each entry's line, for error messages. */
  readonly offsets: number[];
  /** Byte length of the valid prefix; anything after it is a torn tail. */
  readonly validBytes: number;
  readonly totalBytes: number;
}

/**
 * Reads a journal file. `allowTornTail` is true only for the newest file:
 * older files were complete before the next one was started.
 * @internal
 */
export async function readJournal(path: string, allowTornTail: boolean): Promise<JournalContents> {
  const bytes = await readFile(path);
  const entries: JournalEntry[] = [];
  const offsets: number[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const end = bytes.indexOf(10, offset);
    const entry = end < 0 ? undefined : decodeLine(bytes.toString('utf8', offset, end));
    if (!entry) break;
    entries.push(entry);
    offsets.push(offset);
    offset = end + 1;
  }
  if (offset < bytes.length) {
    if (!allowTornTail) throw new StoreCorruptError(`Journal ${path} is damaged at byte ${offset} and is not its writer's last journal.`);
    // A good line after the bad one means the damage is not a torn tail.
    const rest = bytes.toString('utf8', offset).split('\n').slice(1);
    if (rest.some((line) => decodeLine(line) !== undefined)) {
      throw new StoreCorruptError(`Journal ${path} is damaged at byte ${offset}, before intact entries.`);
    }
  }
  return { entries, offsets, validBytes: offset, totalBytes: bytes.length };
}

/**
 * Where a test may make the journal fail: mid-write (a torn line), at fsync, or mid-write with a
 * transient EAGAIN (alone it would be retried) whose rollback truncate then fails with EIO. @internal
 */
export type JournalFaultPoint = 'write' | 'sync' | 'rollback';

/**
 * Appends lines and makes them durable. If an append fails the file is cut
 * back to its last durable length, so the next append starts on a clean line.
 * A failure before any byte could be durable throws `ERR_PERSIST_FAILED`; a
 * failed fdatasync or rollback throws `ERR_COMMIT_OUTCOME_UNKNOWN` (after a
 * failed fsync the kernel's word on what reached the disk is not reliable).
 * @internal
 */
export class JournalWriter {
  readonly path: string;
  readonly #handle: FileHandle;
  #size: number;
  #broken: unknown;
  readonly #faults: JournalFaultPoint[] = [];

  private constructor(path: string, handle: FileHandle, size: number) {
    this.path = path;
    this.#handle = handle;
    this.#size = size;
  }

  /** Creates a new, empty journal at `path`; fails if the file exists (it belongs to someone else). */
  static async create(path: string): Promise<JournalWriter> {
    // O_APPEND: after a rollback's truncate the next write lands at the new end, not past a hole.
    return new JournalWriter(path, await open(path, 'ax'), 0);
  }

  /** Durable bytes in the file. */
  get size(): number {
    return this.#size;
  }

  /** Test seam: the next append fails at `point` with `error`. */
  injectFault(point: JournalFaultPoint): void {
    this.#faults.push(point);
  }

  /** Appends `line` and fdatasyncs; on failure rolls the file back and rethrows. */
  async append(line: Buffer): Promise<void> {
    if (this.#broken !== undefined) {
      throw new PersistFailedError(`Journal ${this.path} could not be rolled back after a failed write; reopen the store.`, {
        cause: this.#broken,
      });
    }
    const fault = this.#faults.shift();
    try {
      if (fault === 'write' || fault === 'rollback') {
        await writeAll(this.#handle, line.subarray(0, line.length >> 1));
        throw Object.assign(new Error('Injected journal write failure'), { code: fault === 'write' ? 'EIO' : 'EAGAIN' });
      }
      await writeAll(this.#handle, line);
    } catch (error) {
      // Not synced: after a successful rollback nothing of it can be on disk.
      if (await this.#rollback(fault === 'rollback')) throw new PersistFailedError(`Writing to journal ${this.path} failed; nothing was written.`, { cause: error });
      throw new CommitOutcomeUnknownError(`Writing to journal ${this.path} failed and the rollback failed too.`, { cause: error });
    }
    try {
      if (fault === 'sync') throw Object.assign(new Error('Injected journal fsync failure'), { code: 'EIO' });
      await this.#handle.datasync();
    } catch (error) {
      await this.#rollback();
      throw new CommitOutcomeUnknownError(`fdatasync of journal ${this.path} failed; the entry may or may not be on disk.`, { cause: error });
    }
    this.#size += line.length;
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }

  /** Cuts the file back to its durable size; false (and the journal refuses further appends) if that failed. */
  async #rollback(injectFailure = false): Promise<boolean> {
    try {
      if (injectFailure) throw Object.assign(new Error('Injected journal truncate failure'), { code: 'EIO' });
      await this.#handle.truncate(this.#size);
      await this.#handle.datasync();
      return true;
    } catch (error) {
      this.#broken = error;
      return false;
    }
  }
}
