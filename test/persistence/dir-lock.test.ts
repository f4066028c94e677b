/**
 * One runtime per data directory, tested with real processes.
 */
import { hostname } from 'node:os';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LowdbStoreEvent } from '../../src/persistence/index.js';
import { LowdbStore } from '../../src/persistence/index.js';
import { VirtualClock } from '../../src/runtime/virtual-clock.js';
import type { FixtureProcess } from './helpers.js';
import { cleanup, startFixture, tempDir } from './helpers.js';

const open: LowdbStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await cleanup();
});

async function holder(dir: string): Promise<{ process: FixtureProcess; pid: number }> {
  const process = startFixture('lock-holder', [dir]);
  const line = await process.waitFor((text) => text.startsWith('opened') || text.startsWith('refused'));
  expect(line).toMatch(/^opened \d+$/);
  return { process, pid: Number(line.split(' ')[1]) };
}

describe('data directory lock', () => {
  it('refuses a second process, naming the owner pid, host and start time', async () => {
    const dir = await tempDir();
    const { process: owner, pid } = await holder(dir);
    const error: unknown = await LowdbStore.open({ dir }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'StoreLockedError', code: 'ERR_STORE_LOCKED' });
    const message = (error as Error).message;
    expect(message).toContain(`pid ${pid} on host ${hostname()}`);
    expect(message.replace(dir, '<dir>').replace(String(pid), '<pid>').replace(hostname(), '<host>').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')).toMatchInlineSnapshot(
      `"Data directory <dir> is locked by pid <pid> on host <host> (started <time>, last heartbeat <time>); only one runtime may use a data directory."`,
    );
    owner.child.stdin?.end();
    await owner.exited;
    const next = await LowdbStore.open({ dir });
    open.push(next);
  });

  it('refuses a second open in the same process too', async () => {
    const dir = await tempDir();
    open.push(await LowdbStore.open({ dir }));
    await expect(LowdbStore.open({ dir })).rejects.toMatchObject({ code: 'ERR_STORE_LOCKED', message: expect.stringContaining(`pid ${process.pid}`) });
  });

  it('lets exactly one of 5 racing processes win', async () => {
    const dir = await tempDir();
    const racers = Array.from({ length: 5 }, () => startFixture('lock-holder', [dir, '--wait-for-go']));
    await Promise.all(racers.map((racer) => racer.waitFor((line) => line === 'ready')));
    const outcomes = racers.map((racer) => racer.waitFor((line) => line.startsWith('opened') || line.startsWith('refused')));
    for (const racer of racers) racer.child.stdin?.write('go\n');
    const lines = await Promise.all(outcomes);
    expect(lines.filter((line) => line.startsWith('opened'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('refused ERR_STORE_LOCKED'))).toHaveLength(4);
    const winnerPid = (lines.find((line) => line.startsWith('opened')) as string).split(' ')[1];
    for (const line of lines.filter((text) => text.startsWith('refused'))) expect(line).toContain(`pid ${winnerPid} `);
    for (const racer of racers) racer.child.stdin?.end();
    await Promise.all(racers.map((racer) => racer.exited));
  });

  it("takes over a dead owner's lock, and the data it left is intact", async () => {
    const dir = await tempDir();
    const seed = await LowdbStore.open({ dir });
    await seed.commit([{ op: 'put', collection: 'c', key: 'k', value: 'before the crash' }]);
    await seed.close();
    const { process: owner } = await holder(dir);
    owner.child.kill('SIGKILL');
    await owner.exited;
    const locks = async (): Promise<string[]> => (await readdir(dir)).filter((name) => name.startsWith('steward.lock.'));
    expect(await locks()).toEqual(['steward.lock.2']); // generation 1 was the seed's, released
    const store = await LowdbStore.open({ dir });
    open.push(store);
    expect(await store.get('c', 'k')).toMatchObject({ value: 'before the crash' });
    expect(await locks()).toEqual(['steward.lock.3']);
  });

  it('takes over a stale heartbeat from another host but respects a fresh one', async () => {
    const dir = await tempDir();
    const lock = (heartbeatAt: number): string =>
      JSON.stringify({ pid: 1, hostname: 'some-other-host', startedAt: 0, heartbeatAt, generation: 1 });
    await writeFile(join(dir, 'steward.lock.1'), lock(Date.now()));
    await expect(LowdbStore.open({ dir })).rejects.toMatchObject({ code: 'ERR_STORE_LOCKED', message: expect.stringContaining('some-other-host') });
    await writeFile(join(dir, 'steward.lock.1'), lock(Date.now() - 60_000));
    open.push(await LowdbStore.open({ dir }));
  });

  it('notices when another process took the lock over and stops writing', async () => {
    const dir = await tempDir();
    const clock = new VirtualClock(Date.now());
    let lost!: (event: LowdbStoreEvent) => void;
    const lockLost = new Promise<LowdbStoreEvent>((resolve) => {
      lost = resolve;
    });
    const store = await LowdbStore.open({ dir, clock, lock: { heartbeatMs: 1_000 }, onEvent: (event) => event.type === 'lock-lost' && lost(event) });
    open.push(store);
    // Another host decided this owner was stale and published generation 2.
    await writeFile(join(dir, 'steward.lock.2'), JSON.stringify({ pid: 1, hostname: 'rescuer', startedAt: 0, heartbeatAt: Date.now(), generation: 2 }));
    clock.advance(1_000);
    expect(await lockLost).toMatchObject({ type: 'lock-lost', owner: { hostname: 'rescuer' }, error: { code: 'ERR_LOCK_LOST' } });
    await expect(store.commit([{ op: 'put', collection: 'c', key: 'k', value: 1 }])).rejects.toMatchObject({ code: 'ERR_LOCK_LOST' });
    // Nor does it answer reads from an index that may be stale now.
    await expect(store.get('c', 'k')).rejects.toMatchObject({ code: 'ERR_LOCK_LOST' });
    expect(() => store.read('c', 'k')).toThrow(expect.objectContaining({ code: 'ERR_LOCK_LOST' }));
  });
});
