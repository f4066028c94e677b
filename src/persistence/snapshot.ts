/**
 * The snapshot is a lowdb JSON document. lowdb reads it (through
 * {@link DurableJsonFile}, an adapter whose write is atomic *and* durable,
 * which lowdb's own JSONFile is not) and holds it while the store opens and
 * migrates. Compaction writes the same format in chunks so a large store is
 * serialized without stalling commits.
 */
import { constants } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { Low } from 'lowdb';
import { PersistFailedError, StoreCorruptError } from './errors.js';
import { replaceFileDurably, writeAll } from './fs-durable.js';
import type { StoredRecord } from './types.js';

/** Identifies steward snapshots, so a foreign JSON file is not mistaken for one. */
export const SNAPSHOT_FORMAT = 'steward.lowdb';

/** One record inside a snapshot document (collection and key are the map keys). */
export interface SnapshotRecord {
  revision: number;
  updatedAt: number;
  value: unknown;
}

/**
 * The lowdb document a data directory's `snapshot.json` holds. Migrations
 * receive it and may change `collections` in place.
 *
 * @example
 * ```ts
 * const migration: Migration = {
 *   version: 2,
 *   up(doc: StoreDocument) {
 *     for (const record of Object.values(doc.collections['cookies'] ?? {})) record.value = { ...(record.value as object), tags: [] };
 *   },
 * };
 * ```
 */
export interface StoreDocument {
  format: typeof SNAPSHOT_FORMAT;
  schemaVersion: number;
  /** Sequence of the last commit included; journal entries up to it are already in. */
  sequence: number;
  collections: Record<string, Record<string, SnapshotRecord>>;
}

/** An empty document at `schemaVersion`. @internal */
export function emptyDocument(schemaVersion: number): StoreDocument {
  return { format: SNAPSHOT_FORMAT, schemaVersion, sequence: 0, collections: {} };
}

/**
 * A lowdb adapter that reads JSON and writes it atomically and durably
 * (temp file, fsync, rename, fsync directory).
 *
 * @example
 * ```ts
 * import { Low } from 'lowdb';
 * type MyData = { items: string[] };
 * const db = new Low(new DurableJsonFile<MyData>('data/app.json'), { items: [] });
 * await db.read();
 * db.data.items.push('first');
 * await db.write(); // on disk when this resolves
 * ```
 */
export class DurableJsonFile<T> implements Adapter<T> {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.#path, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async write(data: T): Promise<void> {
    await replaceFileDurably(this.#path, (handle) => writeAll(handle, Buffer.from(JSON.stringify(data))));
  }
}

/**
 * Opens the snapshot with lowdb; `undefined` when there is none yet.
 * @internal
 */
export async function readSnapshot(path: string): Promise<Low<StoreDocument> | undefined> {
  const db = new Low<StoreDocument | null>(new DurableJsonFile<StoreDocument | null>(path), null);
  try {
    await db.read();
  } catch (error) {
    throw new StoreCorruptError(`Snapshot ${path} is not readable JSON.`, { cause: error });
  }
  const data = db.data;
  if (data === null) return undefined;
  if (data.format !== SNAPSHOT_FORMAT || !Number.isInteger(data.schemaVersion) || !Number.isInteger(data.sequence)) {
    throw new StoreCorruptError(`Snapshot ${path} is not a steward snapshot (format ${String(data.format)}).`);
  }
  return db as Low<StoreDocument>;
}

/** Records serialized per write; small enough that one chunk never stalls commits. */
const CHUNK_RECORDS = 1000;
/** Flush to disk every this many bytes so the final fsync is short and never floods the disk at once. */
const SYNC_EVERY_BYTES = 4 * 1024 * 1024;

/**
 * The largest snapshot that can be read back: it is parsed as one string, and
 * UTF-8 never has fewer bytes than UTF-16 code units.
 */
export const MAX_SNAPSHOT_BYTES = constants.MAX_STRING_LENGTH;

/** How a snapshot is written. @internal */
export interface SnapshotWriteOptions {
  readonly chunkRecords?: number | undefined;
  /** Refuse (ERR_PERSIST_FAILED, old snapshot kept) past this many bytes. Default {@link MAX_SNAPSHOT_BYTES}. */
  readonly maxBytes?: number | undefined;
  /** Runs before the snapshot replaces the old one (the store checks its lock here). */
  readonly beforeRename?: () => Promise<void>;
}

/**
 * Writes `frozen` (see RecordIndex.freeze) as a snapshot document, a chunk at
 * a time, atomically and durably. Returns the bytes written. A snapshot too
 * large to read back is refused before it replaces the old one: the journals
 * it would have absorbed stay, so nothing is lost.
 * @internal
 */
export async function writeSnapshotInChunks(
  path: string,
  header: { readonly schemaVersion: number; readonly sequence: number },
  frozen: ReadonlyArray<readonly [string, readonly StoredRecord[]]>,
  options: SnapshotWriteOptions = {},
): Promise<number> {
  const chunkRecords = options.chunkRecords ?? CHUNK_RECORDS;
  const maxBytes = options.maxBytes ?? MAX_SNAPSHOT_BYTES;
  let bytes = 0;
  await replaceFileDurably(path, async (handle: FileHandle) => {
    let unsynced = 0;
    const emit = async (text: string): Promise<void> => {
      const buffer = Buffer.from(text);
      if (bytes + buffer.length > maxBytes) {
        throw new PersistFailedError(`Snapshot ${path} would exceed ${maxBytes} bytes, more than can be read back as one JSON string; the old snapshot and the journals are kept.`);
      }
      await writeAll(handle, buffer);
      bytes += buffer.length;
      unsynced += buffer.length;
      if (unsynced >= SYNC_EVERY_BYTES) {
        unsynced = 0;
        await handle.datasync();
      }
    };
    await emit(
      `{"format":${JSON.stringify(SNAPSHOT_FORMAT)},"schemaVersion":${header.schemaVersion},"sequence":${header.sequence},"collections":{`,
    );
    let firstCollection = true;
    for (const [name, records] of frozen) {
      await emit(`${firstCollection ? '' : ','}${JSON.stringify(name)}:{`);
      firstCollection = false;
      for (let start = 0; start < records.length; start += chunkRecords) {
        const parts: string[] = [];
        for (const record of records.slice(start, start + chunkRecords)) {
          parts.push(
            `${JSON.stringify(record.key)}:{"revision":${record.revision},"updatedAt":${record.updatedAt},"value":${JSON.stringify(record.value)}}`,
          );
        }
        await emit(`${start === 0 ? '' : ','}${parts.join(',')}`);
      }
      await emit('}');
    }
    await emit('}}');
  }, options.beforeRename);
  return bytes;
}
