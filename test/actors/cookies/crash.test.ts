/**
 * kill -9 mid-rotation, then a restart on the same lowdb directory: the
 * service rotated but the owner died before storing the answer. The restart
 * records the interrupted attempt once, recovers from the stored value
 * within the service's grace window, and the reminder keeps firing. No
 * rotation is lost (the stored value is the service's current one) or
 * duplicated (each attempt number reported once, one rotation in flight).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../../src/persistence/index.js';
import { COOKIE_REPORTS, shortHash, type RotationReport } from '../../../src/actors/cookies/index.js';
import { CookieProviderService } from '../../../examples/cookie-provider/service.js';
import { cleanup, tempDir } from '../../persistence/helpers.js';

const FIXTURE = fileURLToPath(new URL('../../../dist/test/actors/cookies/fixtures/cookie-node.js', import.meta.url));
const children = new Set<ReturnType<typeof spawn>>();
let service: CookieProviderService | undefined;

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  await service?.close();
  await cleanup();
});

/** Starts the fixture; `lines` collects its stdout lines, `wait(match)` resolves at the first line that matches. */
function start(args: string[]) {
  const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of [...waiters]) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const wait = (match: (lines: string[]) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const wake = () => match(lines) && resolve();
      waiters.push(wake);
      void exited.then(() => reject(new Error(`fixture exited: ${stderr}`)));
      wake();
    });
  return { child, lines, wait, exited };
}

describe('cookie rotation across kill -9 (real process, lowdb, pool threads, loopback provider)', () => {
  it('an attempt killed mid-rotation is recovered once, no rotation lost or duplicated, and the reminder still fires', async () => {
    service = await CookieProviderService.start({ slowMs: 60_000, graceMs: 60_000 });
    const dir = await tempDir();
    const value = service.issue('ann');
    service.mode = 'slow'; // the service rotates at once, then holds its answer
    const rotated = new Promise<void>((resolve) => (service!.onRotateRequest = resolve));
    const first = start([dir, service.url, 'first', value]);
    await first.wait((lines) => lines.includes('rotating 1'));
    await rotated;
    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.lines.filter((line) => line.startsWith('report'))).toEqual([]);
    expect(service.rotations('ann')).toBe(2); // issued, then rotated by the attempt whose answer never arrived

    service.mode = 'good';
    const second = start([dir, service.url, 'restart']);
    const reports = () => second.lines.filter((line) => line.startsWith('report')).map((line) => line.split(' '));
    await second.wait(() => reports().filter(([, , status]) => status === 'success').length >= 2); // the recovery, then a scheduled rotation
    second.child.kill('SIGKILL');
    await second.exited;

    const [interrupted, ...later] = reports();
    expect(interrupted?.slice(1, 3)).toEqual(['1', 'failed']);
    expect(interrupted?.[4]).toBe('true');
    expect(later.every(([, , status]) => status === 'success')).toBe(true);
    const attempts = reports().map(([, attempt]) => Number(attempt));
    expect(attempts).toEqual(attempts.map((_, i) => i + 1)); // 1, 2, 3…: each attempt once, none skipped
    expect(service.stats.refused).toBe(0); // the recovery's old value was within the grace window
    expect(service.stats.maxConcurrentPerAccount).toBe(1);

    const store = await LowdbStore.open({ dir });
    const stored = (await store.query<RotationReport>(COOKIE_REPORTS)).map((record) => record.value);
    await store.close();
    expect(stored.map((report) => report.attemptNumber)).toEqual(attempts.slice(0, stored.length));
    // Nothing lost: what the directory holds last is what the service issued last.
    const last = stored.at(-1);
    expect(last?.keys[0]?.hash).toBe(shortHash(service.current('ann').slice('sid='.length)));
  });
});
