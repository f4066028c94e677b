import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../../src/persistence/index.js';
import { JOBS, SINK, type Job } from '../../../src/actors/jobs/index.js';

const children = new Set<ChildProcess>();
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

interface Line {
  readonly event: string;
  readonly jobId?: string;
  readonly code?: number;
}

function service(dir: string, mode: 'hang' | 'complete' | 'sigterm', graceMs = 1_000) {
  const script = fileURLToPath(new URL('../../../dist/test/actors/jobs/fixtures/queue-process.js', import.meta.url));
  const child = spawn(process.execPath, [script, dir, mode, String(graceMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: Line[] = [];
  const waiters: { event: string; resolve: () => void }[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.event === line.event)) waiter.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const next = (event: string) =>
    new Promise<void>((resolve, reject) => {
      if (lines.some((line) => line.event === event)) return resolve();
      waiters.push({ event, resolve });
      void exited.then(({ code, signal }) => setImmediate(() => reject(new Error(`service exited (${code ?? signal}) before '${event}'; stderr: ${stderr}`))));
    });
  return { child, lines, next, exited };
}

async function stored(dir: string) {
  const store = await LowdbStore.open({ dir });
  try {
    const jobs = (await store.query<Job>(JOBS)).map((record) => record.value);
    const sink = Object.keys((await store.get<Record<string, true>>(SINK, 'all'))?.value ?? {});
    return { jobs, sink };
  } finally {
    await store.close();
  }
}

describe('queues across real processes (lowdb on disk)', () => {
  it('kill -9 with 100 jobs running, restart: every job recovered before any dispatch, none lost, none completed twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-queue-kill-'));
    dirs.push(dir);
    const first = service(dir, 'hang');
    await first.next('all-running');
    first.child.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });

    const second = service(dir, 'complete');
    await second.next('all-completed');
    expect(await second.exited).toMatchObject({ code: 0 });
    const events = second.lines.map((line) => line.event);
    const recovered = events.filter((event) => event === 'recovered').length;
    expect(recovered).toBe(100);
    expect(events.indexOf('started')).toBeGreaterThan(events.lastIndexOf('recovered'));

    const { jobs, sink } = await stored(dir);
    expect(jobs).toHaveLength(100);
    expect(jobs.every((job) => job.status === 'completed' && job.attemptCount === 2)).toBe(true);
    expect(sink).toHaveLength(100);
    expect(new Set(sink.map((key) => key.slice(0, key.indexOf('/')))).size).toBe(100);
    for (const job of jobs) expect(sink).toContain(`${job.id}/${job.attemptId}`);
  }, 120_000);

  it('SIGTERM with 100 jobs running: dispatch stops, running jobs are aborted past the grace and requeued without using up an attempt, exit 0, nothing left running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-queue-term-'));
    dirs.push(dir);
    const worker = service(dir, 'sigterm', 300);
    await worker.next('registered');
    await worker.next('all-running');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.lines.filter((line) => line.event === 'started')).toHaveLength(100);
    expect(worker.lines.at(-1)).toEqual({ event: 'exit', code: 0 });
    const { jobs } = await stored(dir);
    expect(jobs).toHaveLength(100);
    expect(jobs.filter((job) => job.status !== 'queued')).toEqual([]);
    expect(jobs.every((job) => job.attemptCount === 0)).toBe(true);
  }, 120_000);
});
