/**
 * The lowdb journal's failure paths that leave the store unsure of its own
 * file: a torn write whose rollback truncate fails, and a rotation whose
 * directory fsync fails after the fresh journal was opened.
 */
import { readdir, readlink } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { LowdbStoreEvent, LowdbStoreOptions, WriteOp } from '../../src/persistence/index.js';
import { LowdbStore, Persistence } from '../../src/persistence/index.js';
import { cleanup, tempDir } from './helpers.js';

const open: Array<{ close(): Promise<void> }> = [];
async function openStore(options: LowdbStoreOptions): Promise<LowdbStore> {
  const store = await LowdbStore.open(options);
  open.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((owner) => owner.close().catch(() => undefined)));
  await cleanup();
});

/** This process's open descriptors on files under `dir` (a removed file still shows, as `… (deleted)`). */
async function descriptorsUnder(dir: string): Promise<string[]> {
  const targets = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith(`${dir}/`)).sort();
}

const put = (key: string, value: unknown): WriteOp => ({ op: 'put', collection: 'items', key, value });

describe('journal faults', () => {
  it('a torn write whose rollback truncate fails is ERR_COMMIT_OUTCOME_UNKNOWN, never retried; the journal then refuses until reopened', async () => {
    const dir = await tempDir();
    const store = await openStore({ dir });
    const persistence = new Persistence(store, { closeStore: false, retry: { attempts: 4, baseDelayMs: 1 } });
    open.unshift(persistence);
    await persistence.commit([put('a', 'acked')]);
    const before = persistence.stats.storeCommits;

    // The write fails with EAGAIN, which alone is retried; the failed truncate makes the outcome unknown.
    store.failNextCommit('rollback');
    await expect(persistence.commit([put('a', 'torn')])).rejects.toMatchObject({
      name: 'CommitOutcomeUnknownError',
      code: 'ERR_COMMIT_OUTCOME_UNKNOWN',
      cause: { code: 'EAGAIN' },
    });
    expect(persistence.stats.storeCommits - before).toBe(1);

    // The half line is still in the file: no further append may land after it (the cause is the failed truncate).
    await expect(store.commit([put('b', 'after')])).rejects.toMatchObject({ code: 'ERR_PERSIST_FAILED', cause: { code: 'EIO', message: 'Injected journal truncate failure' } });
    await persistence.close();
    await store.close();

    // Reopening drops the torn tail: only the acknowledged commit is there.
    const reopened = await openStore({ dir });
    expect(await reopened.get('items', 'a')).toMatchObject({ revision: 1, value: 'acked' });
    expect(await reopened.get('items', 'b')).toBeUndefined();
    expect(reopened.stats.sequence).toBe(1);
    await reopened.commit([put('b', 'fine')]);
    expect(await reopened.get('items', 'b')).toMatchObject({ revision: 1 });
  });

  it('a rotation whose directory fsync fails closes and removes the fresh journal: no descriptor leaks, commits go on', async () => {
    const dir = await tempDir();
    const events: LowdbStoreEvent[] = [];
    const store = await openStore({ dir, onEvent: (event) => events.push(event) });
    await store.commit([put('a', 1)]);
    const before = await descriptorsUnder(dir);
    const journals = (await readdir(dir)).filter((name) => name.startsWith('journal.'));

    store.failNextRotation();
    await store.compact();
    expect(events).toContainEqual(expect.objectContaining({ type: 'compaction-failed', error: expect.objectContaining({ code: 'EIO' }) }));
    expect(await descriptorsUnder(dir)).toEqual(before);
    expect((await readdir(dir)).filter((name) => name.startsWith('journal.'))).toEqual(journals);

    await store.commit([put('b', 2)]);
    await store.compact();
    await store.close();
    const reopened = await openStore({ dir });
    expect(reopened.stats).toMatchObject({ records: 2, sequence: 2 });
  });
});
