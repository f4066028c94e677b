/**
 * The worker registry in the demo, with real worker processes: the registry
 * is served over loopback HTTP, two `media` worker processes (forked from
 * demo-worker.ts) race to register and one is refused with
 * `ERR_WORKER_ACTIVE` naming the other, then a later `thumbnailer` process
 * of a newer build starts and the registry reports the version drift.
 * Stopping closes each worker's IPC channel (it deregisters and exits);
 * one that has not exited within a bound is killed, and any still alive
 * when this process exits (an error, a forced Ctrl-C) is killed then, so no
 * worker outlives the demo.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createWorkerRegistry, detectVersion, localRegistryClient, startRegistryServer, type VersionInfo, type WorkerRegistryDefinition } from '../src/actors/jobs/index.js';
import type { ActorRef, ActorSystem } from '../src/index.js';
import { WorkerReportSchema, type WorkerReport } from './worker-report.js';

/** How long a worker process may take to load, to answer, or to exit once told to stop. */
const WORKER_BOUND_MS = 15_000;
const EXIT_BOUND_MS = 3_000;
const SCRIPT = fileURLToPath(new URL('./demo-worker.js', import.meta.url));

/** What the showcase left running, and how to end it. */
export interface DemoWorkers {
  readonly registry: ActorRef<WorkerRegistryDefinition>;
  /** Forks the workers: the race, then the newer build. Prints each outcome. */
  race(): Promise<void>;
  /** Stops every worker process (they deregister), then the registry server. Safe to call twice. */
  stop(): Promise<void>;
}

/** Serves the registry on loopback; {@link DemoWorkers.race} forks the workers. */
export async function startDemoWorkers(system: ActorSystem, note: (line: string) => void): Promise<DemoWorkers> {
  const { WorkerRegistry, events } = createWorkerRegistry();
  const registry = system.ref(WorkerRegistry, 'demo');
  events.on('version-drift', ({ versions }) => note(`workers: version drift reported, RUNNING ${versions.join(' and ')}`));
  const server = await startRegistryServer(localRegistryClient(registry));
  const processes = new Set<WorkerProcess>();
  const killAll = () => processes.forEach((worker) => worker.kill());
  process.on('exit', killAll);
  const spawnWorker = (workerType: string, version: VersionInfo) => {
    const worker = new WorkerProcess(fork(SCRIPT, [server.url, workerType, JSON.stringify(version)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), workerType);
    processes.add(worker);
    return worker;
  };
  let stopping: Promise<void> | undefined;

  return {
    registry,
    async race() {
      const current = detectVersion();
      const racers = [spawnWorker('media', current), spawnWorker('media', current)];
      await Promise.all(racers.map((worker) => worker.expect('ready')));
      note(`workers: two 'media' worker processes (pids ${racers.map((worker) => worker.pid).join(' and ')}) race to register`);
      const outcomes = await Promise.all(racers.map((worker) => worker.register()));
      racers.forEach((worker, i) => describe(worker, outcomes[i] as WorkerReport));
      const newer = spawnWorker('thumbnailer', { ...current, version: `${current.version}-next`.slice(0, 100) });
      await newer.expect('ready');
      describe(newer, await newer.register());
      const admitted = [...processes].filter((worker) => worker.workerId !== undefined);
      note(`workers: ${admitted.length} admitted (${admitted.map((worker) => `${worker.workerId} pid ${worker.pid}`).join(', ')})`);
    },
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all([...processes].map((worker) => worker.stop()));
        process.off('exit', killAll);
        await server.close();
      })()),
  };

  function describe(worker: WorkerProcess, outcome: WorkerReport): void {
    if (outcome.kind === 'refused') note(`workers: a second '${worker.workerType}' worker (pid ${worker.pid}) was refused: ${outcome.code}, held by ${outcome.holder.id} (pid ${outcome.holder.pid})`);
    else if (outcome.kind === 'failed') note(`workers: the '${worker.workerType}' worker (pid ${worker.pid}) could not register: ${outcome.code}`);
  }
}

/** One forked worker and the reports it sent. */
class WorkerProcess {
  workerId: string | undefined;
  readonly #reports: WorkerReport[] = [];
  readonly #waiters: Array<() => void> = [];
  readonly #exited: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    readonly workerType: string,
  ) {
    child.on('message', (message: unknown) => {
      const parsed = WorkerReportSchema.safeParse(message);
      this.#reports.push(parsed.success ? parsed.data : { kind: 'failed', code: 'ERR_INVALID_MESSAGE', message: 'the worker sent a report the demo does not know' });
      this.#waiters.splice(0).forEach((wake) => wake());
    });
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.#exited.then(() => this.#waiters.splice(0).forEach((wake) => wake()));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The next report, which must be `kind`; rejects if the worker exits first or stays silent past the bound. */
  async expect(kind: WorkerReport['kind']): Promise<WorkerReport> {
    const report = await this.#next();
    if (report.kind !== kind) throw new Error(`worker pid ${this.pid} reported ${report.kind}, expected ${kind}`);
    return report;
  }

  /** Tells it to register; resolves with admitted, refused or failed. */
  async register(): Promise<WorkerReport> {
    this.child.send('go');
    const report = await this.#next();
    if (report.kind === 'admitted') this.workerId = report.workerId;
    return report;
  }

  /** Closes its channel (it deregisters and exits); kills it if it has not exited within the bound. */
  async stop(): Promise<void> {
    if (this.#alive()) {
      if (this.child.connected) this.child.disconnect();
      const timer = setTimeout(() => this.kill(), EXIT_BOUND_MS);
      await this.#exited;
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.#alive()) this.child.kill('SIGKILL');
  }

  #alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async #next(): Promise<WorkerReport> {
    const deadline = performance.now() + WORKER_BOUND_MS;
    while (this.#reports.length === 0) {
      if (!this.#alive()) throw new Error(`worker pid ${this.pid} exited without a report`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`worker pid ${this.pid} sent no report within ${WORKER_BOUND_MS} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.#reports.shift() as WorkerReport;
  }
}
