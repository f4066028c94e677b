/**
 * The service side of the real registry tests: a store on disk, an actor
 * system whose clock the test moves (so "past the stale bound" is exact,
 * however loaded the machine), and the registry served on loopback; worker
 * processes are compiled fixtures reporting JSON lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ActorSystem, VirtualClock } from '../../../src/index.js';
import { LowdbStore, Persistence } from '../../../src/persistence/index.js';
import { createWorkerRegistry, localRegistryClient, startRegistryServer, type RegistryServer, type WorkerRegistryOptions } from '../../../src/actors/jobs/index.js';
import { shutdown } from '../../fixtures/shutdown.js';

const closers: (() => Promise<unknown>)[] = [];
const children = new Set<ChildProcess>();

/** Kills leftover workers, closes the service, removes directories. */
export async function cleanup(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }),
  );
  children.clear();
  for (const close of closers.splice(0).reverse()) await close();
}

export async function startService(options: WorkerRegistryOptions = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'steward-jobs-'));
  closers.push(() => rm(dir, { recursive: true, force: true }));
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const store = await LowdbStore.open({ dir });
  // Shutdown bounds the store's close by its deadline, which the virtual clock passes at once: wait for the close itself before removing the directory.
  closers.push(() => store.close());
  const system = new ActorSystem({ clock, persistence: new Persistence(store) });
  closers.push(() => shutdown(system));
  const made = createWorkerRegistry({ staleAfterMs: 30_000, stoppingTimeoutMs: 60_000, ...options });
  const registry = system.ref(made.WorkerRegistry, 'default');
  const client = localRegistryClient(registry);
  const server: RegistryServer = await startRegistryServer(client);
  closers.push(() => server.close());
  return { dir, clock, system, registry, client, server, events: made.events, thresholds: made.thresholds };
}

export interface WorkerLine {
  readonly event: string;
  readonly id?: string;
  readonly code?: string | number;
  readonly version?: string;
  readonly active?: { readonly id: string; readonly pid: number; readonly hostname: string; readonly version: { readonly version: string }; readonly since: number };
}

/** A worker process (not yet registered: {@link WorkerProcess.go} starts it). */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly lines: WorkerLine[];
  go(): void;
  next(event: string): Promise<WorkerLine>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startWorker(url: string, options: { workerType?: string; graceMs?: number; drain?: number | 'forever'; buildId?: string } = {}): WorkerProcess {
  const script = fileURLToPath(new URL('../../../dist/test/actors/jobs/fixtures/worker.js', import.meta.url));
  const args = [script, url, options.workerType ?? 'media', String(options.graceMs ?? 25_000), String(options.drain ?? 0)];
  // A directory outside any git repository, so BUILD_ID is the version.
  const child = spawn(process.execPath, args, { cwd: tmpdir(), env: { ...process.env, BUILD_ID: options.buildId ?? 'v1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: WorkerLine[] = [];
  const waiters: { event: string; resolve: (line: WorkerLine) => void }[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    const line = JSON.parse(text) as WorkerLine;
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.event === line.event)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    go: () => child.stdin?.write('go\n'),
    next: (event) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((line) => line.event === event);
        if (seen) return resolve(seen);
        waiters.push({ event, resolve });
        void exited.then(({ code, signal }) => setImmediate(() => reject(new Error(`worker exited (${code ?? signal}) before '${event}'; saw ${JSON.stringify(lines)}; stderr: ${stderr}`))));
      }),
    exited,
  };
}

/** Polls `check` once per event-loop turn (at most `turns` times) until it holds. */
export async function until(check: () => Promise<boolean> | boolean, turns = 20_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition not met');
}
