/**
 * Opening a data directory: read the lowdb snapshot, replay the journals after
 * it (ignoring a torn last line), migrate if the schema is older, and hand the
 * store an index plus the journal to keep appending to.
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

/** `journal.<first sequence, zero-padded>.ndjson`, so names sort in commit order. @internal */
export function journalPath(dir: string, firstSequence: number): string {
  return join(dir, `journal.${String(firstSequence).padStart(16, '0')}.ndjson`);
}

/** What opening found. @internal */
export interface Recovered {
  readonly index: RecordIndex;
  readonly schemaVersion: number;
  readonly sequence: number;
  /** Journal files in order; the last is appended to next. */
  readonly journals: string[];
  /** Valid length of the last journal (its torn tail, if any, is cut off). */
  readonly lastJournalBytes: number;
  readonly snapshotBytes: number;
  readonly replayed: number;
  readonly migrated: number;
}

/** Reads, replays and migrates the directory `dir` (which this process has locked). @internal */
export async function recover(dir: string, migrations: readonly Migration[], target: number): Promise<Recovered> {
  const snapshotPath = join(dir, SNAPSHOT_FILE);
  await rm(`${snapshotPath}.tmp`, { force: true }); // an interrupted compaction's leftover
  const journals = (await readdir(dir)).filter((name) => /^journal\.\d{16}\.ndjson$/.test(name)).sort().map((name) => join(dir, name));
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
  let lastJournalBytes = 0;
  for (const [position, path] of journals.entries()) {
    const isLast = position === journals.length - 1;
    const contents = await readJournal(path, isLast);
    for (const entry of contents.entries) {
      if (entry.s <= sequence) continue; // already in the snapshot
      if (entry.s !== sequence + 1) throw new StoreCorruptError(`Journal ${path} jumps from commit ${sequence} to ${entry.s}.`);
      index.apply(entryChanges(entry));
      sequence = entry.s;
      replayed += 1;
    }
    if (isLast) lastJournalBytes = contents.validBytes;
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
    lastJournalBytes = 0;
    if (migrated > 0) return { ...(await recover(dir, migrations, target)), migrated };
  }
  return { index, schemaVersion, sequence, journals, lastJournalBytes, snapshotBytes, replayed, migrated };
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
