/**
 * Reminders and owned records across a SIGKILL of a real process on a lowdb
 * directory: what was acknowledged is there after a restart, and nothing else.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/persistence/index.js';
import { ownedKey } from '../../src/index.js';
import { cleanup, tempDir } from '../persistence/helpers.js';

const FIXTURE = fileURLToPath(new URL('../../dist/test/runtime/fixtures/records-node.js', import.meta.url));
const live = new Set<ReturnType<typeof spawn>>();

/** Starts the fixture and calls `onLine` per stdout line; resolves `exited` when it is gone. */
function start(args: string[], onLine: (line: string) => void) {
  const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let buffer = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, stderr: () => stderr };
}

function kill9(child: ReturnType<typeof spawn>, exited: Promise<void>): Promise<void> {
  child.kill('SIGKILL');
  return exited;
}

/** Resolves when `done()` holds, checked on every line; rejects if the process exits first. */
function until(proc: { exited: Promise<void>; stderr: () => string }, check: { done: () => boolean; wake?: () => void }, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    check.wake = () => check.done() && resolve();
    void proc.exited.then(() => reject(new Error(`fixture exited before ${what}: ${proc.stderr()}`)));
  });
}

afterEach(async () => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  live.clear();
  await cleanup();
});

describe('reminders and owned records across SIGKILL (lowdb)', () => {
  it('reminders armed before a SIGKILL fire once each after the restart; a kill mid-delivery redelivers with the same firing id', async () => {
    const dir = await tempDir();
    const actors = 300;
    const check: { done: () => boolean; wake?: () => void } = { done: () => false };
    let armed = false;
    const early: string[] = [];
    const arming = start([dir, 'arm', String(actors), '1500'], (line) => {
      if (line === 'armed') armed = true;
      else early.push(line);
      check.wake?.();
    });
    check.done = () => armed;
    await until(arming, check, 'armed');
    await kill9(arming.child, arming.exited);
    expect(early).toEqual([]); // killed before anything was due

    const fired = new Map<string, string[]>();
    const serving = start([dir, 'serve'], (line) => {
      const [word, key, id] = line.split(' ');
      if (word === 'fired') fired.set(key as string, [...(fired.get(key as string) ?? []), id as string]);
      check.wake?.();
    });
    check.done = () => fired.size === actors;
    await until(serving, check, `${actors} firings`);
    await kill9(serving.child, serving.exited);
    expect([...fired.values()].every((ids) => ids.length === 1)).toBe(true);
    // Killed again, maybe between a delivery and the commit that advances it: those are still pending.
    const store = await LowdbStore.open({ dir });
    const pending = (await store.query<{ key: string }>('steward.reminders')).map((r) => r.value.key);
    await store.close();
    expect(pending.every((key) => fired.has(key))).toBe(true);
    // A third process redelivers exactly the pending ones, with the firing id they had: at least once, never a new firing.
    const again = new Map<string, string>();
    const third = start([dir, 'serve'], (line) => {
      const [word, key, id] = line.split(' ');
      if (word === 'fired') again.set(key as string, id as string);
      check.wake?.();
    });
    check.done = () => again.size === pending.length;
    if (pending.length > 0) await until(third, check, `${pending.length} redeliveries`);
    await kill9(third.child, third.exited);
    expect([...again.keys()].sort()).toEqual([...pending].sort());
    for (const [key, id] of again) expect(id).toBe(fired.get(key)?.[0]);
  });

  it('child records are atomic with their owner state under a kill loop', async () => {
    const dir = await tempDir();
    let lastAck = 0;
    for (let round = 0; round < 4; round++) {
      const target = lastAck + 30 + round * 40;
      const check: { done: () => boolean; wake?: () => void } = { done: () => lastAck >= target };
      const proc = start([dir, 'ledger'], (line) => {
        const [word, n] = line.split(' ');
        if (word === 'ack') lastAck = Number(n);
        check.wake?.();
      });
      await until(proc, check, `ack ${target}`);
      await kill9(proc.child, proc.exited);
      const store = await LowdbStore.open({ dir });
      const count = (await store.get<{ count: number }>('ledgers', 'main'))?.value.count ?? 0;
      const entries = await store.query<{ n: number }>('entries', { prefix: ownedKey('main', '') });
      await store.close();
      // Every acknowledged add is durable; the state and its entries always agree, whatever the kill caught.
      expect(count).toBeGreaterThanOrEqual(lastAck);
      expect(entries.map((r) => r.value.n)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      lastAck = count;
    }
  });
});
