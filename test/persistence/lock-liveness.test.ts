/**
 * The directory lock against the ways it used to be fooled, on real
 * processes: a frozen owner, a killed one, a restarted container, an
 * unreadable lock file, heartbeats that cannot be written, and a journal two
 * writers touched.
 */
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/persistence/index.js';
import type { FixtureProcess } from './helpers.js';
import { cleanup, startFixture, tempDir } from './helpers.js';

const open: LowdbStore[] = [];
const mounts: string[] = [];
afterEach(async () => {
  for (const target of mounts.splice(0)) execFileSync('umount', [target]);
  await Promise.all(open.splice(0).map((store) => store.close()));
  await cleanup();
});

const HEARTBEAT_MS = 50;
const STALE_MS = 400;

async function holder(dir: string, ...flags: string[]): Promise<{ owner: FixtureProcess; pid: number }> {
  const owner = startFixture('lock-holder', [dir, ...flags]);
  const line = await owner.waitFor((text) => text.startsWith('opened') || text.startsWith('refused'));
  expect(line).toMatch(/^opened \d+$/);
  return { owner, pid: Number(line.split(' ')[1]) };
}

async function put(owner: FixtureProcess, key: string): Promise<string> {
  const reply = owner.waitFor((line) => line.endsWith(` ${key}`) || line.startsWith(`failed ${key} `));
  owner.child.stdin?.write(`put ${key}\n`);
  return reply;
}

/** Real time passing is the point here: the frozen owner's heartbeat must age past its bound. */
const elapse = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function canMount(): boolean {
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
}

describe('directory lock liveness', () => {
  it('a SIGSTOPped owner keeps the directory for 3x staleAfterMs, then carries on with nothing lost', async () => {
    const dir = await tempDir();
    const { owner, pid } = await holder(dir, '--heartbeat', String(HEARTBEAT_MS), '--stale', String(STALE_MS));
    expect(await put(owner, 'before')).toBe('acked before');
    owner.child.kill('SIGSTOP');
    await elapse(3 * STALE_MS);
    const refused: unknown = await LowdbStore.open({ dir, lock: { heartbeatMs: HEARTBEAT_MS, staleAfterMs: STALE_MS } }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'ERR_STORE_LOCKED', message: expect.stringContaining(`pid ${pid} on host ${hostname()}`) });
    owner.child.kill('SIGCONT');
    // Its lease ran out while frozen: it renews (nobody took over) and goes on committing.
    expect(await put(owner, 'after')).toBe('acked after');
    owner.child.stdin?.end();
    expect(await owner.exited).toMatchObject({ code: 0 });
    const store = await LowdbStore.open({ dir });
    open.push(store);
    expect((await store.query('held')).map((record) => record.key)).toEqual(['after', 'before']);
  });

  it('a SIGKILLed owner is taken over at once, with every acknowledged write', async () => {
    const dir = await tempDir();
    // A 10-minute staleness: a takeover that waited for it would time the test out.
    const { owner } = await holder(dir, '--heartbeat', '60000', '--stale', '600000');
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      const reply = await put(owner, `k${i}`);
      if (reply.startsWith('acked')) acked.push(`k${i}`);
    }
    owner.child.kill('SIGKILL');
    await owner.exited;
    const store = await LowdbStore.open({ dir });
    open.push(store);
    expect((await store.query('held')).map((record) => record.key).sort()).toEqual(acked.sort());
    // The dead owner's socket file went with its lock file.
    expect((await readdir(dir)).filter((name) => name.endsWith('.sock'))).toHaveLength(1);
  });

  it('a directory whose path is too long for a socket file still refuses a second opener (abstract socket)', async () => {
    const base = await tempDir();
    const dir = join(base, 'a-rather-long-directory-name-'.repeat(4));
    const { owner, pid } = await holder(dir);
    await expect(LowdbStore.open({ dir })).rejects.toMatchObject({ code: 'ERR_STORE_LOCKED', message: expect.stringContaining(`pid ${pid} `) });
    owner.child.kill('SIGKILL');
    await owner.exited;
    const store = await LowdbStore.open({ dir });
    open.push(store);
  });

  it("a lock left by this pid's earlier incarnation (a restarted container: same pid, same host) opens at once", async () => {
    const dir = await tempDir();
    const earlier = { pid: process.pid, hostname: hostname(), processStartedAt: 1, startedAt: 0, heartbeatAt: Date.now(), staleAfterMs: 600_000, generation: 1 };
    await writeFile(join(dir, 'steward.lock.1'), JSON.stringify(earlier));
    const store = await LowdbStore.open({ dir });
    open.push(store);
    expect(store.stats.records).toBe(0);
  });

  it('an unreadable lock file is "locked, reason unknown", naming the file and errno, never a dead owner', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'steward.lock.3')); // readFile fails with EISDIR (root reads through any mode bits)
    await expect(LowdbStore.open({ dir })).rejects.toMatchObject({
      code: 'ERR_STORE_LOCKED',
      message: expect.stringMatching(/lock file .*steward\.lock\.3 cannot be read \(EISDIR\)/),
    });
    const garbled = await tempDir();
    await writeFile(join(garbled, 'steward.lock.1'), '{"pid": 12');
    await expect(LowdbStore.open({ dir: garbled })).rejects.toMatchObject({ code: 'ERR_STORE_LOCKED', message: expect.stringContaining('EBADMSG') });
  });

  it.skipIf(!canMount())('an owner whose heartbeat cannot be written fences itself before the stale bound; the takeover finds every ack', async () => {
    const dir = await tempDir();
    const writer = startFixture('crash-writer', [dir, '4', '20', String(1 << 30), String(HEARTBEAT_MS), String(STALE_MS)]);
    let acks = 0;
    let acksAfterLost = 0;
    let lostAt = 0;
    const acked = new Map<string, number>();
    writer.onLine((line) => {
      if (line === 'lost') lostAt = performance.now();
      if (!line.startsWith('ack ')) return;
      const [, key, revision] = line.split(' ');
      acked.set(key as string, Number(revision));
      acks += 1;
      if (lostAt > 0) acksAfterLost += 1;
    });
    await writer.waitFor((line) => line.startsWith('ack '));
    // The directory turns read-only for new files: the journal's open descriptor still writes, the heartbeat cannot.
    execFileSync('mount', ['--bind', '-o', 'ro', dir, dir]);
    execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
    mounts.push(dir);
    const readOnlyAt = performance.now();
    await writer.waitFor((line) => line === 'lost');
    expect(lostAt - readOnlyAt).toBeLessThan(STALE_MS); // the last good heartbeat was before readOnlyAt
    writer.child.kill('SIGKILL');
    await writer.exited;
    execFileSync('umount', [mounts.pop() as string]);
    expect(acksAfterLost).toBe(0);
    expect(acks).toBeGreaterThan(0);
    const store = await LowdbStore.open({ dir });
    open.push(store);
    for (const [key, revision] of acked) expect((await store.get('crash', key))?.revision).toBeGreaterThanOrEqual(revision);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('a journal holding two entries with one sequence number refuses to open, naming the file and offset', async () => {
    const dir = await tempDir();
    const store = await LowdbStore.open({ dir });
    await store.commit([{ op: 'put', collection: 'c', key: 'a', value: 1 }]);
    await store.commit([{ op: 'put', collection: 'c', key: 'b', value: 2 }]);
    await store.close();
    const [journal] = (await readdir(dir)).filter((name) => name.startsWith('journal.'));
    const lines = (await readFile(join(dir, journal as string), 'utf8')).split('\n');
    // A second writer's journal (a later generation) that repeats commit 2 with other content.
    const second = lines[1] as string;
    const forged = second.replace('"b",1,2', '"b",1,3');
    const { crc32 } = await import('node:zlib');
    const json = forged.slice(9);
    const name = (journal as string).replace(/\.\d{10}\.ndjson$/, '.0000000099.ndjson').replace(/journal\.\d{16}/, `journal.${'2'.padStart(16, '0')}`);
    await writeFile(join(dir, name), `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`);
    await expect(LowdbStore.open({ dir })).rejects.toMatchObject({
      code: 'ERR_STORE_CORRUPT',
      message: expect.stringMatching(new RegExp(`Journal .*${name.replaceAll('.', '\\.')} holds commit 2 at byte 0`)),
    });
  });
});
