/**
 * The lowdb store as files: round trips through close/reopen, journal replay,
 * compaction, torn tails, real damage, and the lowdb snapshot format.
 */
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { afterEach, describe, expect, it } from 'vitest';
import type { LowdbStoreEvent, LowdbStoreOptions, StoreDocument, WriteOp } from '../../src/persistence/index.js';
import { LowdbStore } from '../../src/persistence/index.js';
import { VirtualClock } from '../../src/runtime/virtual-clock.js';
import { cleanup, tempDir } from './helpers.js';

const open: LowdbStore[] = [];
async function openStore(options: LowdbStoreOptions): Promise<LowdbStore> {
  const store = await LowdbStore.open(options);
  open.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await cleanup();
});

const put = (key: string, value: unknown): WriteOp => ({ op: 'put', collection: 'items', key, value });

async function journalFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('journal.')).sort();
}

describe('LowdbStore files', () => {
  it('round-trips through close and reopen by replaying the journal', async () => {
    const dir = await tempDir();
    const clock = new VirtualClock(1_000);
    const store = await openStore({ dir, clock });
    await store.commit([put('a', { n: 1 }), put('b', [1, 'two', null, true])]);
    clock.advance(500);
    await store.commit([{ op: 'patch', collection: 'items', key: 'a', patch: { m: 2 } }, { op: 'delete', collection: 'items', key: 'b' }]);
    await store.close();

    const events: LowdbStoreEvent[] = [];
    const reopened = await openStore({ dir, clock, onEvent: (event) => events.push(event) });
    expect(events).toContainEqual({ type: 'opened', records: 1, replayed: 2, migrated: 0 });
    expect(await reopened.get('items', 'a')).toEqual({ collection: 'items', key: 'a', revision: 2, value: { n: 1, m: 2 }, updatedAt: 1_500 });
    expect(await reopened.get('items', 'b')).toBeUndefined();
    expect(reopened.stats.sequence).toBe(2);
    const next = await reopened.commit([put('c', 3)]);
    expect(next.sequence).toBe(3);
  });

  it('round-trips after compaction, and the snapshot is a lowdb document lowdb itself can read', async () => {
    const dir = await tempDir();
    const store = await openStore({ dir });
    const tricky = JSON.parse('{"__proto__": {"polluted": true}, "text": "line\\nbreak \\u2028 é"}') as unknown;
    await store.commit([put('tricky', tricky), put('__proto__', 'a key named __proto__')]);
    for (let i = 0; i < 20; i++) await store.commit([put(`k${i}`, { i })]);
    await store.compact();
    expect(store.stats.compactions).toBe(1);
    expect(await journalFiles(dir)).toHaveLength(1);
    await store.commit([put('after', 'compaction')]);
    await store.close();

    const low = new Low<StoreDocument | null>(new JSONFile<StoreDocument | null>(join(dir, 'snapshot.json')), null);
    await low.read();
    expect(low.data).toMatchObject({ format: 'steward.lowdb', schemaVersion: 1, sequence: 21 });
    expect(Object.keys(low.data?.collections['items'] ?? {})).toHaveLength(22);

    const reopened = await openStore({ dir });
    expect(reopened.stats).toMatchObject({ records: 23, sequence: 22 });
    const value = (await reopened.get('items', 'tricky'))?.value as Record<string, unknown>;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(value['text']).toBe('line\nbreak \u2028 é');
    expect((await reopened.get('items', '__proto__'))?.value).toBe('a key named __proto__');
    expect((await reopened.get('items', 'k19'))?.value).toEqual({ i: 19 });
  });

  it('compacts in the background when the journal passes the threshold, without losing concurrent commits', async () => {
    const dir = await tempDir();
    const events: LowdbStoreEvent[] = [];
    let compacted!: () => void;
    const finished = new Promise<void>((resolve) => {
      compacted = resolve;
    });
    const store = await openStore({
      dir,
      compactAfterBytes: 2_000,
      compactionChunkRecords: 5,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'compaction-finished') compacted();
      },
    });
    const writes = Array.from({ length: 200 }, (_, i) => store.commit([put(`k${i % 50}`, { i, pad: 'x'.repeat(40) })]));
    await Promise.all(writes);
    await finished;
    expect(events.some((event) => event.type === 'compaction-started')).toBe(true);
    await store.close();
    open.length = 0;
    const reopened = await openStore({ dir });
    for (let k = 0; k < 50; k++) expect(await reopened.get('items', `k${k}`)).toMatchObject({ revision: 4, value: { i: 150 + k } });
  });

  it("ignores a torn last journal line (it was never acknowledged) and leaves the old owner's journal alone", async () => {
    const dir = await tempDir();
    const store = await openStore({ dir });
    await store.commit([put('a', 1)]);
    await store.commit([put('a', 2)]);
    await store.close();
    const [journal] = await journalFiles(dir);
    const path = join(dir, journal as string);
    const intact = await readFile(path);
    await appendFile(path, '0badc0de {"s":3,"t":0,"w":[["items","a",3,');

    const torn = await readFile(path);
    const reopened = await openStore({ dir });
    expect(await reopened.get('items', 'a')).toMatchObject({ revision: 2, value: 2 });
    await reopened.commit([put('a', 3)]);
    // The new owner wrote a journal of its own; the old one is exactly as its writer left it.
    expect(await readFile(path)).toEqual(torn);
    expect(torn.subarray(0, intact.length)).toEqual(intact);
    expect(await journalFiles(dir)).toHaveLength(2);
    await reopened.close();
    const again = await openStore({ dir });
    expect(await again.get('items', 'a')).toMatchObject({ revision: 3, value: 3 });
  });

  it('refuses to open when an intact entry follows a damaged one', async () => {
    const dir = await tempDir();
    const store = await openStore({ dir });
    for (let i = 1; i <= 3; i++) await store.commit([put('a', i)]);
    await store.close();
    const [journal] = await journalFiles(dir);
    const path = join(dir, journal as string);
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[1] = (lines[1] as string).replace('"a",2,2', '"a",2,9'); // checksum no longer matches
    await writeFile(path, lines.join('\n'));
    await expect(LowdbStore.open({ dir })).rejects.toMatchObject({ code: 'ERR_STORE_CORRUPT' });
    // The refused open released its lock, so a fixed directory opens again.
    await writeFile(path, lines.slice(0, 1).join('\n') + '\n');
    const fixed = await openStore({ dir });
    expect(await fixed.get('items', 'a')).toMatchObject({ revision: 1 });
  });

  it('a failed fsync or a torn write is rolled back on disk too: reopening shows only acknowledged commits', async () => {
    const dir = await tempDir();
    const store = await openStore({ dir });
    await store.commit([put('a', 'acked')]);
    // A torn write never reached fdatasync: nothing was written. A failed fdatasync may have reached the
    // disk whatever the rollback did, so it is reported as unknown, not as "nothing written".
    for (const [point, code] of [['write', 'ERR_PERSIST_FAILED'], ['sync', 'ERR_COMMIT_OUTCOME_UNKNOWN']] as const) {
      store.failNextCommit(point);
      await expect(store.commit([put('a', `failed ${point}`)])).rejects.toMatchObject({ code, cause: { code: 'EIO' } });
    }
    await store.commit([put('b', 'acked too')]);
    await store.close();
    const reopened = await openStore({ dir });
    expect(await reopened.get('items', 'a')).toMatchObject({ revision: 1, value: 'acked' });
    expect(reopened.stats.sequence).toBe(2);
  });

  it('recovers when a crash left a compaction half done (temp snapshot, old journals still present)', async () => {
    const dir = await tempDir();
    const store = await openStore({ dir });
    for (let i = 0; i < 5; i++) await store.commit([put(`k${i}`, i)]);
    await store.close();
    const [journal] = await journalFiles(dir);
    const saved = await readFile(join(dir, journal as string));
    const again = await openStore({ dir });
    await again.compact();
    await again.commit([put('k5', 5)]);
    await again.close();
    // Simulate a crash between renaming the new snapshot and deleting the absorbed journal.
    await writeFile(join(dir, journal as string), saved);
    await writeFile(join(dir, 'snapshot.json.tmp'), '{"half": ');
    const reopened = await openStore({ dir });
    expect(reopened.stats).toMatchObject({ records: 6, sequence: 6 });
    expect(await readdir(dir)).not.toContain('snapshot.json.tmp');
  });
});
