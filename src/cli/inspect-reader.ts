/**
 * A read-only view of a lowdb data directory that another process may own
 * right now: the snapshot plus the journals after it, read without taking
 * the directory's lock and without writing, renaming or removing anything
 * (no migration, no clean-up of an interrupted compaction's leftover).
 *
 * The owner goes on committing and compacting meanwhile: a journal may vanish
 * between the listing and the read (a compaction absorbed it), and the
 * newest journal may end in a half-written line (ignored, as on recovery).
 * A read that saw such a moment is retried from the listing, so the view is
 * always one the owner acknowledged at some instant.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreCorruptError } from '../persistence/errors.js';
import { readJournal } from '../persistence/journal.js';
import { readOwner, topGeneration, type LockOwner } from '../persistence/lock-file.js';
import { SNAPSHOT_FILE } from '../persistence/recover.js';
import { SecondaryIndexes } from '../persistence/secondary-index.js';
import { readSnapshot } from '../persistence/snapshot.js';
import type { IndexQuery, IndexSpec, QueryOptions, StoredRecord } from '../persistence/index.js';
import type { RecordReader } from '../operator/index.js';

/** What inspect read: its records, with secondary indexes a domain may declare (built over this view, in memory). */
export interface DirectoryView extends Required<RecordReader> {
  readonly dir: string;
  readonly schemaVersion: number;
  readonly sequence: number;
  readonly journals: number;
  readonly journalBytes: number;
  /** The lock's current owner, unless it released the directory cleanly. */
  readonly owner: LockOwner | undefined;
  collections(): Array<{ name: string; records: number }>;
}

const JOURNAL = /^journal\.(\d{16})(?:\.(\d{10}))?\.ndjson$/;
const ATTEMPTS = 10;

type Collections = Map<string, Map<string, StoredRecord>>;

/**
 * Reads `dir` without its lock. A missing directory is `ENOENT` at once; a
 * file that vanished or a view that does not add up is read again, and only
 * if it stays so is `ERR_STORE_CORRUPT` (or the `ENOENT`) thrown.
 */
export async function readDataDirectory(dir: string): Promise<DirectoryView> {
  await readdir(dir); // a directory that is not there is not a race
  let last: unknown;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      return await readOnce(dir);
    } catch (error) {
      if (!(error instanceof StoreCorruptError) && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      last = error;
      await new Promise<void>((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
  }
  throw last;
}

async function readOnce(dir: string): Promise<DirectoryView> {
  const names = await readdir(dir);
  const files = names
    .flatMap((name) => {
      const match = JOURNAL.exec(name);
      return match ? [{ path: join(dir, name), first: Number(match[1]), generation: Number(match[2] ?? 0) }] : [];
    })
    .sort((a, b) => a.first - b.first || a.generation - b.generation);
  const snapshot = await readSnapshot(join(dir, SNAPSHOT_FILE));
  const collections: Collections = new Map();
  for (const [collection, records] of Object.entries(snapshot?.data.collections ?? {})) {
    const keyed = new Map<string, StoredRecord>();
    for (const [key, stored] of Object.entries(records)) keyed.set(key, { collection, key, revision: stored.revision, value: stored.value, updatedAt: stored.updatedAt });
    collections.set(collection, keyed);
  }
  let sequence = snapshot?.data.sequence ?? 0;
  let journalBytes = 0;
  for (const [position, file] of files.entries()) {
    const next = files[position + 1];
    const contents = await readJournal(file.path, next === undefined || next.generation !== file.generation);
    journalBytes += contents.totalBytes;
    for (const entry of contents.entries) {
      if (entry.s <= sequence) continue;
      // A gap: the snapshot we read is older than the journals still listed (a compaction ran in between).
      if (entry.s !== sequence + 1) throw new StoreCorruptError(`journal ${file.path} jumps from commit ${sequence} to ${entry.s}`);
      for (const write of entry.w) {
        const [collection, key] = write;
        const keyed = collections.get(collection) ?? new Map<string, StoredRecord>();
        collections.set(collection, keyed);
        if (write.length === 2) keyed.delete(key);
        else keyed.set(key, { collection, key, revision: write[2], value: write[3], updatedAt: entry.t });
      }
      sequence = entry.s;
    }
  }
  const generation = await topGeneration(dir);
  const read = generation > 0 ? await readOwner(dir, generation) : undefined;
  const owner = read?.kind === 'owner' && !read.owner.released ? read.owner : undefined;
  return view(dir, collections, { schemaVersion: snapshot?.data.schemaVersion ?? 0, sequence, journals: files.length, journalBytes, owner });
}

function view(dir: string, collections: Collections, facts: Omit<DirectoryView, 'dir' | 'get' | 'query' | 'defineIndex' | 'queryIndex' | 'collections'>): DirectoryView {
  const indexes = new SecondaryIndexes();
  const read = (collection: string, key: string) => collections.get(collection)?.get(key);
  return {
    dir,
    ...facts,
    collections: () =>
      [...collections.entries()]
        .filter(([, records]) => records.size > 0)
        .map(([name, records]) => ({ name, records: records.size }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    get: <T = unknown>(collection: string, key: string) => Promise.resolve(collections.get(collection)?.get(key) as StoredRecord<T> | undefined),
    query: <T = unknown>(collection: string, options: QueryOptions = {}) => {
      const keys = [...(collections.get(collection)?.keys() ?? [])].sort();
      const picked = keys.filter((key) => (options.prefix === undefined || key.startsWith(options.prefix)) && (options.after === undefined || key > options.after));
      const limited = options.limit === undefined ? picked : picked.slice(0, options.limit);
      return Promise.resolve(limited.map((key) => collections.get(collection)?.get(key) as StoredRecord<T>));
    },
    // Async, so a bad declaration or query rejects (ERR_INVALID_QUERY) as a store's would.
    defineIndex: async (collection: string, spec: IndexSpec) => indexes.define(collection, spec, collections.get(collection)?.values() ?? []),
    queryIndex: async <T = unknown>(collection: string, index: string, query?: IndexQuery) => indexes.query<T>(collection, index, query, read),
  };
}
