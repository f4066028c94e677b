/**
 * Opening a data directory: read the lowdb snapshot, replay the journals after
 * it, migrate if the schema is older, and hand the store an index.
 *
 * Every owner writes journals of its own lock generation
 * (`journal.<first sequence>.<generation>.ndjson`) and never appends to an
 * earlier owner's, so a torn tail may end each generation's last journal
 * (the owner died mid-append) and is ignored there. Sequence numbers must
 * grow strictly across all journals: a second entry with a sequence already
 * seen means two writers, and opening refuses (`ERR_STORE_CORRUPT` naming
 * the file and byte offset) rather than silently keep one of them.
 * @internal
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreCorruptError } from './errors.js';
import { fsyncDir } from './fs-durable.js';
import type { JournalEntry } from './journal.js';
import { readJournal } from './journal.js';
import { adoptJson } from './json-value.js';
import type { Migration } from './migrations.js';
import { assertNotTooNew, migrate } from './migrations.js';
import type { RecordChange } from './record-index.js';
import { RecordIndex } from './record-index.js';
import type { SnapshotRecord, StoreDocument } from './snapshot.js';
import { DurableJsonFile, emptyDocument, readSnapshot } from './snapshot.js';
import type { StoredRecord } from './types.js';

export const SNAPSHOT_FILE = 'snapshot.json';

/** `journal.<first sequence>.<lock generation>.ndjson`, zero-padded. @internal */
export function journalPath(dir: string, firstSequence: number, generation: number): string {
  return join(dir, `journal.${String(firstSequence).padStart(16, '0')}.${String(generation).padStart(10, '0')}.ndjson`);
}

/** Journals in `names` in commit order; a name without a generation (older versions) is generation 0. */
function journalFiles(dir: string, names: readonly string[]): Array<{ readonly path: string; readonly first: number; readonly generation: number }> {
  const found: Array<{ path: string; first: number; generation: number }> = [];
  for (const name of names) {
    const match = /^journal\.(\d{16})(?:\.(\d{10}))?\.ndjson$/.exec(name);
    if (match) found.push({ path: join(dir, name), first: Number(match[1]), generation: Number(match[2] ?? 0) });
  }
  return found.sort((a, b) => a.first - b.first || a.generation - b.generation);
}

/** What opening found. @internal */
export interface Recovered {
  readonly index: RecordIndex;
  readonly schemaVersion: number;
  readonly sequence: number;
  /** Journal files in commit order (all written by earlier owners). */
  readonly journals: string[];
  /** Their total size: what the next compaction absorbs. */
  readonly journalBytes: number;
  readonly snapshotBytes: number;
  readonly replayed: number;
  readonly migrated: number;
}

/** Reads, replays and migrates the directory `dir` (which this process has locked). @internal */
export async function recover(dir: string, migrations: readonly Migration[], target: number): Promise<Recovered> {
  const snapshotPath = join(dir, SNAPSHOT_FILE);
  await rm(`${snapshotPath}.tmp`, { force: true }); // an interrupted compaction's leftover
  const files = journalFiles(dir, await readdir(dir));
  const journals = files.map((file) => file.path);
  const low = await readSnapshot(snapshotPath);
  if (!low && journals.length > 0) throw new StoreCorruptError(`Data directory ${dir} has journals but no ${SNAPSHOT_FILE}.`);
  let doc = low?.data ?? emptyDocument(target);
  // Refuse a newer schema before replaying anything it wrote.
  assertNotTooNew(doc.schemaVersion, target, dir);
  const snapshotBytes = low ? (await stat(snapshotPath)).size : 0;
  const index = documentToIndex(doc);
  doc = { ...doc, collections: {} }; // let the parsed document go

  let sequence = doc.sequence;
  let replayed = 0;
  let seen = { sequence: 0, path: '' };
  let journalBytes = 0;
  for (const [position, { path, generation }] of files.entries()) {
    const next = files[position + 1];
    const contents = await readJournal(path, next === undefined || next.generation !== generation);
    journalBytes += contents.totalBytes;
    for (const [at, entry] of contents.entries.entries()) {
      if (entry.s <= seen.sequence) {
        throw new StoreCorruptError(
          `Journal ${path} holds commit ${entry.s} at byte ${contents.offsets[at]}, but commit ${seen.sequence} was already read (in ${seen.path}): two writers used this directory.`,
        );
      }
      seen = { sequence: entry.s, path };
      if (entry.s <= sequence) continue; // already in the snapshot
      if (entry.s !== sequence + 1) throw new StoreCorruptError(`Journal ${path} jumps from commit ${sequence} to ${entry.s} at byte ${contents.offsets[at]}.`);
      index.apply(entryChanges(entry));
      sequence = entry.s;
      replayed += 1;
    }
  }

  let migrated = 0;
  let schemaVersion = doc.schemaVersion;
  if (!low || schemaVersion < target) {
    const result = migrate({ ...indexToDocument(index, schemaVersion), sequence }, migrations, target, dir);
    migrated = result.applied;
    schemaVersion = result.doc.schemaVersion;
    // The migrated state becomes the snapshot; the journals it absorbed go.
    await new DurableJsonFile<StoreDocument>(snapshotPath).write(result.doc);
    for (const path of journals) await rm(path, { force: true });
    await fsyncDir(dir);
    journals.length = 0;
    journalBytes = 0;
    if (migrated > 0) return { ...(await recover(dir, migrations, target)), migrated };
  }
  return { index, schemaVersion, sequence, journals, journalBytes, snapshotBytes, replayed, migrated };
}

function entryChanges(entry: JournalEntry): RecordChange[] {
  return entry.w.map((write) => {
    const [collection, key] = write;
    if (write.length === 2) return { collection, key, record: undefined };
    const record: StoredRecord = Object.freeze({ collection, key, revision: write[2], value: adoptJson(write[3]), updatedAt: entry.t });
    return { collection, key, record };
  });
}

function documentToIndex(doc: StoreDocument): RecordIndex {
  const index = new RecordIndex();
  for (const [collection, records] of Object.entries(doc.collections)) {
    const changes: RecordChange[] = [];
    for (const [key, stored] of Object.entries(records)) {
      const record: StoredRecord = Object.freeze({ collection, key, revision: stored.revision, value: adoptJson(stored.value), updatedAt: stored.updatedAt });
      changes.push({ collection, key, record });
    }
    index.apply(changes);
  }
  return index;
}

/** The index as a lowdb document, built with own properties so keys like "__proto__" stay data. */
function indexToDocument(index: RecordIndex, schemaVersion: number): StoreDocument {
  const doc = emptyDocument(schemaVersion);
  for (const [collection, records] of index.freeze()) {
    const entries: Record<string, SnapshotRecord> = {};
    for (const record of records) {
      defineOwn(entries, record.key, { revision: record.revision, updatedAt: record.updatedAt, value: structuredClone(record.value) });
    }
    defineOwn(doc.collections, collection, entries);
  }
  return doc;
}

function defineOwn(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}
