/**
 * The smaller holes of issue 11: a conflict reported before its winner was
 * durable, lock temp files and uncoded errors on a full disk, close() that
 * answers differently on a second call, snapshots too large to read back,
 * query pages that sorted every key, and an actor system that never heard
 * its store had lost the directory.
 */
import { execFileSync } from 'node:child_process';
import { open as openFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LowdbStoreEvent, WriteOp } from '../../src/persistence/index.js';
import { LowdbStore, MemoryStore, Persistence } from '../../src/persistence/index.js';
import { RecordIndex } from '../../src/persistence/record-index.js';
import { ActorSystem } from '../../src/runtime/actor-system.js';
import { VirtualClock } from '../../src/runtime/virtual-clock.js';
import { cleanup, tempDir } from './helpers.js';

const mounts: string[] = [];
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close().catch(() => undefined);
  for (const target of mounts.splice(0)) execFileSync('umount', ['-l', target]);
  await cleanup();
});

/** Yields to pending I/O (never to a virtual timer) until `condition` holds or 10 s of real time pass: a loaded CI machine needs many turns for a few file reads. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

const put = (key: string, expectedRevision?: number): WriteOp => ({ op: 'put', collection: 'c', key, value: { key }, ...(expectedRevision === undefined ? {} : { expectedRevision }) });

describe('store edges', () => {
  it("reports a group's conflict only once the winner is durable, and a re-read then sees the winner", async () => {
    const releases: Array<() => void> = [];
    const store = new MemoryStore({ gate: (release) => releases.push(release) });
    const persistence = new Persistence(store);
    const first = persistence.commit([put('other')]);
    await until(() => releases.length === 1);
    const winner = persistence.commit([put('k', 0)]);
    let loserSettled = false;
    const loser = persistence.commit([put('k', 0)]).catch((error: unknown) => {
      loserSettled = true;
      return error;
    });
    releases.shift()?.();
    await first;
    await until(() => releases.length === 1); // the group [winner, loser] is in flight
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(loserSettled).toBe(false);
    releases.shift()?.();
    await winner;
    expect(await loser).toMatchObject({ code: 'ERR_REVISION_CONFLICT' });
    expect((await persistence.get('c', 'k'))?.revision).toBe(1);
  });

  it('a conflict whose winner then failed is retried against durable state, not reported', async () => {
    const gates: Array<{ release: () => void; fail: (error: Error) => void }> = [];
    const persistence = new Persistence(new MemoryStore({ gate: (release, fail) => gates.push({ release, fail }) }));
    const first = persistence.commit([put('other')]);
    await until(() => gates.length === 1);
    const winner = persistence.commit([put('k', 0)]).catch((error: unknown) => error);
    const loser = persistence.commit([put('k', 0)]);
    gates.shift()?.release();
    await first;
    await until(() => gates.length === 1);
    gates.shift()?.fail(Object.assign(new Error('disk on fire'), { code: 'EIO' }));
    expect(await winner).toMatchObject({ code: 'ERR_PERSIST_FAILED' });
    await until(() => gates.length === 1); // the loser goes again, alone
    gates.shift()?.release();
    expect((await loser).revisions).toEqual([{ collection: 'c', key: 'k', revision: 1 }]);
  });

  it('close() returns the same promise on every call, for Persistence and for each store', async () => {
    const dir = await tempDir();
    const lowdb = await LowdbStore.open({ dir });
    const persistence = new Persistence(lowdb);
    const pending = persistence.commit([put('a')]);
    const closing = persistence.close();
    expect(persistence.close()).toBe(closing);
    await closing; // waits for the queued commit
    await expect(pending).resolves.toMatchObject({ sequence: 1 });
    const storeClosing = lowdb.close(); // the one Persistence already made
    expect(lowdb.close()).toBe(storeClosing);
    await storeClosing;
    const memory = new MemoryStore();
    expect(memory.close()).toBe(memory.close());
  });

  it('an fdatasync failure is ERR_COMMIT_OUTCOME_UNKNOWN through Persistence, tried once, never retried', async () => {
    const dir = await tempDir();
    const store = await LowdbStore.open({ dir });
    const persistence = new Persistence(store, { retry: { attempts: 5, baseDelayMs: 0 } });
    closers.push(() => persistence.close());
    store.failNextCommit('sync');
    await expect(persistence.commit([put('a')])).rejects.toMatchObject({ code: 'ERR_COMMIT_OUTCOME_UNKNOWN' });
    expect(persistence.stats.storeCommits).toBe(1);
  });

  it('refuses to write a snapshot it could not read back; the journals keep everything', async () => {
    const dir = await tempDir();
    const events: LowdbStoreEvent[] = [];
    const store = await LowdbStore.open({ dir, maxSnapshotBytes: 2_000, onEvent: (event) => events.push(event) });
    for (let i = 0; i < 50; i++) await store.commit([put(`k${i}`)]);
    await store.compact();
    expect(events.find((event) => event.type === 'compaction-failed')).toMatchObject({ error: { code: 'ERR_PERSIST_FAILED', message: expect.stringContaining('2000 bytes') } });
    await store.close();
    expect(await readdir(dir)).not.toContain('snapshot.json.tmp');
    const reopened = await LowdbStore.open({ dir });
    closers.push(() => reopened.close());
    expect(reopened.stats.records).toBe(50);
  });

  it.skipIf(process.getuid?.() !== 0)('on a full disk: no lock temp files left behind, and close() rejects with a coded error', async () => {
    const mount = await tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
    mounts.push(mount);
    const dir = join(mount, 'data');
    const store = await LowdbStore.open({ dir, lock: { heartbeatMs: 20, staleAfterMs: 10_000 } });
    const handle = await openFile(join(mount, 'filler'), 'w');
    await handle.write(Buffer.alloc(1 << 20)).catch(() => undefined); // ENOSPC once the tmpfs is full
    await handle.close();
    await new Promise((resolve) => setTimeout(resolve, 300)); // about 15 failed heartbeats
    // At most the one heartbeat being written right now (it used to be one per failed heartbeat).
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp')).length).toBeLessThanOrEqual(1);
    const closing = store.close();
    const outcome = await closing.then(() => 'closed', (error: unknown) => error);
    if (outcome !== 'closed') expect(outcome).toMatchObject({ code: 'ERR_PERSIST_FAILED', message: expect.stringContaining('ENOSPC') });
    expect(store.close()).toBe(closing);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('query pages match a full sort over random writes, prefixes, cursors and limits', () => {
    const index = new RecordIndex();
    let seed = 7;
    const random = (n: number): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
    const keys = new Set<string>();
    for (let step = 0; step < 5_000; step++) {
      const key = `${'abc'[random(3)]}${random(40)}/${random(50)}`;
      const remove = random(4) === 0;
      index.apply([{ collection: 'c', key, record: remove ? undefined : Object.freeze({ collection: 'c', key, revision: 1, value: step, updatedAt: 0 }) }]);
      if (remove) keys.delete(key);
      else keys.add(key);
      if (step % 50 !== 0) continue;
      const prefix = random(2) === 0 ? undefined : `${'abc'[random(3)]}${random(5)}`;
      const after = random(2) === 0 ? undefined : `${'abc'[random(3)]}${random(40)}`;
      const limit = random(3) === 0 ? undefined : random(30);
      const expected = [...keys]
        .filter((candidate) => (prefix === undefined || candidate.startsWith(prefix)) && (after === undefined || candidate > after))
        .sort((a, b) => (a < b ? -1 : 1))
        .slice(0, limit);
      expect(index.query('c', { ...(prefix === undefined ? {} : { prefix }), ...(after === undefined ? {} : { after }), ...(limit === undefined ? {} : { limit }) }).map((record) => record.key)).toEqual(expected);
    }
  });

  it('an actor system hears that its store lost the lock: a persistence.lost event and a clean stop', async () => {
    const dir = await tempDir();
    const clock = new VirtualClock(Date.now());
    const store = await LowdbStore.open({ dir, clock, lock: { heartbeatMs: 1_000 } });
    const system = new ActorSystem({ clock, persistence: new Persistence(store, { clock }) });
    closers.push(() => system.shutdown());
    const lost: Array<{ code: string }> = [];
    system.events.on('persistence.lost', (event) => lost.push(event));
    await writeFile(join(dir, 'steward.lock.2'), JSON.stringify({ pid: 1, hostname: 'rescuer', startedAt: 0, heartbeatAt: Date.now(), generation: 2 }));
    clock.advance(1_000);
    await until(() => lost.length === 1);
    expect(lost).toEqual([{ code: 'ERR_LOCK_LOST', message: expect.stringContaining('pid 1 on host rescuer') }]);
    expect(system.running).toBe(false);
  });
});
