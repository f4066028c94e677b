/**
 * {@link TaskPool} on piscina worker threads. Piscina has no per-task timeout,
 * its queue bound does not apply to abortable tasks, and aborting a running
 * task terminates its thread (piscina #156, #869, #934), so steward keeps the
 * queue, the timers and the bound itself ({@link TaskDispatcher}) and hands
 * piscina at most `maxThreads × concurrentTasksPerWorker` tasks at once.
 */
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { realClock, type Clock } from '../runtime/ports/index.js';
import { DispatchedPool, IncidentChannel } from './dispatched-pool.js';
import { exposeChannel } from './channel.js';
import type { StopSignal } from './stop-signal.js';
import type { BackendJob, TaskBackend } from './dispatcher.js';
import type { TaskLoadFailure, TaskOutcome, TaskRequest } from './envelope.js';
import { PoolThreadError, TaskCrashedError, type PoolIncident } from './errors.js';
import type { AnyTaskDefinition } from './task.js';
import { DEFAULT_RECYCLE_GRACE_MS, ThreadLedger } from './thread-ledger.js';

/** Worker `resourceLimits`, e.g. `{ maxOldGenerationSizeMb: 64 }`. */
export interface PoolResourceLimits {
  readonly maxYoungGenerationSizeMb?: number;
  readonly maxOldGenerationSizeMb?: number;
  readonly codeRangeSizeMb?: number;
  readonly stackSizeMb?: number;
}

/** Options of {@link PiscinaPool}. */
export interface PiscinaPoolOptions {
  /** Pool name, in every error message (e.g. `download`, `validate`, `rotate`). */
  readonly name: string;
  readonly minThreads?: number;
  readonly maxThreads?: number;
  /** Tasks waiting beyond the running ones; one more is refused with `ERR_POOL_FULL`. Default 10,000. */
  readonly maxQueue?: number;
  /** Milliseconds an idle thread above `minThreads` lives. */
  readonly idleTimeout?: number;
  readonly resourceLimits?: PoolResourceLimits;
  /**
   * Tasks one thread runs at once, for IO-bound pools (default 1). With more
   * than one, a task cancelled or timed out while running is rejected at once
   * but its thread is not stopped (that would kill its neighbours, piscina
   * #934): it keeps its slot, its outcome is dropped, and no new task goes to
   * its thread. If it ends within `recycleGraceMs` the thread serves again;
   * otherwise the thread is recycled, the tasks beside it fail with
   * `ERR_TASK_CRASHED`, and a fresh thread takes its place.
   */
  readonly concurrentTasksPerWorker?: number;
  /** How long a cancelled task on a shared thread may run on before its thread is recycled. Default 1 s. */
  readonly recycleGraceMs?: number;
  /**
   * Hears what the pool does to its threads beside runs: a thread error no
   * task owns (piscina's `'error'` event, `ERR_POOL_THREAD_ERROR`) and a
   * recycle (`ERR_THREAD_RECYCLED`). Default: a process warning.
   */
  readonly onIncident?: (incident: PoolIncident) => void;
  /**
   * How an idle thread waits for work. `'sync'` (piscina's default) blocks the
   * thread's event loop between tasks, freezing anything a task left running;
   * `'async'` keeps the loop turning. Default: `'sync'` for one task per
   * thread, `'async'` when `concurrentTasksPerWorker` > 1 (IO-bound pools).
   */
  readonly atomics?: 'sync' | 'async' | 'disabled';
  /** Clock for timeouts and the close deadline. Default {@link realClock}. */
  readonly clock?: Clock;
  /** Timeout of a run that sets none. Default 60 s. */
  readonly defaultTimeoutMs?: number;
}

/**
 * Node 20 cannot load TypeScript in a worker, so the entry is always the
 * compiled one; when this file itself runs from source (vitest), that is the
 * copy under `dist/`, which `npm test` builds first.
 */
const WORKER_ENTRY = fileURLToPath(
  import.meta.url.endsWith('.ts')
    ? new URL('../../dist/src/pools/worker-entry.js', import.meta.url)
    : new URL('./worker-entry.js', import.meta.url),
);

/**
 * A named pool of worker threads running steward tasks.
 *
 * @example
 * ```ts
 * const pool = new PiscinaPool({ name: 'download', maxThreads: 2, concurrentTasksPerWorker: 4, maxQueue: 500 });
 * const file = await pool.run(downloadTask, { url }, { timeoutMs: 180_000, signal, onProgress: (pct) => console.log(`${pct}%`) });
 * await pool.close({ deadlineMs: 5_000 });
 * ```
 */
export class PiscinaPool extends DispatchedPool {
  readonly #piscina: Piscina<TaskRequest, TaskOutcome>;

  constructor(options: PiscinaPoolOptions) {
    const concurrent = Math.max(1, options.concurrentTasksPerWorker ?? 1);
    const clock = options.clock ?? realClock;
    const incidents = new IncidentChannel(options.onIncident);
    const report = incidents.report;
    const ledger =
      concurrent === 1
        ? undefined
        : new ThreadLedger({
            pool: options.name,
            clock,
            graceMs: options.recycleGraceMs ?? DEFAULT_RECYCLE_GRACE_MS,
            perThread: concurrent,
            recycle: (thread) => void piscina.threads.find((worker) => worker.threadId === thread)?.terminate(),
            report,
          });
    const piscina: Piscina<TaskRequest, TaskOutcome> = new Piscina<TaskRequest, TaskOutcome>({
      filename: WORKER_ENTRY,
      name: 'runStewardTask',
      ...(options.minThreads === undefined ? {} : { minThreads: options.minThreads }),
      ...(options.maxThreads === undefined ? {} : { maxThreads: options.maxThreads }),
      ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: { ...options.resourceLimits } }),
      ...(ledger ? { loadBalancer: sharedThreadBalancer(ledger, concurrent) } : {}),
      concurrentTasksPerWorker: concurrent,
      atomics: options.atomics ?? (concurrent > 1 ? 'async' : 'sync'),
    });
    // A thread error with no task on it (a throw in a timer a task left behind) comes as 'error';
    // unheard, it would take down the owner's process.
    piscina.on('error', (error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      report(new PoolThreadError(`pool "${options.name}": a thread failed outside any task: ${err.name}: ${err.message}`, { cause: err }));
    });
    super({ ...options, clock, capacity: piscina.maxThreads * concurrent }, new PiscinaBackend(piscina, ledger), incidents);
    this.#piscina = piscina;
  }

  /** Threads alive now (tests use it to check shutdown). */
  get threadCount(): number {
    return this.#piscina.threads.length;
  }
}

/** What a request carries under piscina's queue-options symbol, for the balancer to place it. */
interface Placement {
  readonly job: BackendJob;
  readonly stop: StopSignal;
}

const PLACEMENT: symbol = Piscina.queueOptionsSymbol;

type LoadBalancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;

/**
 * piscina's least-busy choice, minus the threads the ledger closed, telling
 * the ledger where each task went: piscina does not say which thread runs a task.
 */
function sharedThreadBalancer(ledger: ThreadLedger, perThread: number): LoadBalancer {
  return (task, workers) => {
    let best: (typeof workers)[number] | null = null;
    for (const worker of workers) {
      if (worker.terminating || worker.destroyed || !ledger.routable(worker.id)) continue;
      const usage = worker.currentUsage;
      if (usage >= perThread || (best !== null && usage >= best.currentUsage)) continue;
      best = worker;
      if (usage === 0) break;
    }
    const placement = (task as unknown as Partial<Record<symbol, Placement>>)[PLACEMENT];
    if (best && placement) ledger.assign(placement.job, best.id, placement.stop);
    return best;
  };
}

class PiscinaBackend implements TaskBackend {
  readonly #piscina: Piscina<TaskRequest, TaskOutcome>;
  /** Set when threads are shared: a task alone on its thread has the thread stopped instead. */
  readonly #ledger: ThreadLedger | undefined;
  /**
   * One task waits in piscina's queue, which piscina posts to the next free
   * thread before it even reports the last result; its signal takes it back
   * out of the queue unstarted. Tasks without a signal (shared threads) could
   * not be taken back, so they are never handed ahead; nor with
   * `minThreads: 0`, where a stopped thread might not be replaced until the
   * next task arrives.
   */
  readonly prefetch: number;

  constructor(piscina: Piscina<TaskRequest, TaskOutcome>, ledger: ThreadLedger | undefined) {
    this.#piscina = piscina;
    this.#ledger = ledger;
    this.prefetch = !ledger && piscina.minThreads >= 1 ? 1 : 0;
  }

  get blocked(): number {
    return this.#ledger ? this.#ledger.blocked : 0;
  }

  execute(job: BackendJob, stop: StopSignal): Promise<TaskOutcome> {
    const ledger = this.#ledger;
    if (!ledger) return this.#run(job, stop, stop);
    stop.once('abort', () => ledger.stuck(job));
    return ledger.settle(job, this.#run(job, stop, null));
  }

  #run(job: BackendJob, stop: StopSignal, signal: StopSignal | null): Promise<TaskOutcome> {
    const placement = this.#ledger ? { [PLACEMENT]: { job, stop } } : undefined;
    if (!job.channel) {
      return this.#piscina.run({ moduleHref: job.task.moduleHref, name: job.task.name, input: job.input, ...placement }, { signal });
    }
    const { port1, port2 } = new MessageChannel();
    exposeChannel(port1, job.channel);
    // Once the run is settled (timeout, abort, close) the task must learn it on its next call,
    // even in a shared thread that keeps running it.
    stop.once('abort', () => port1.close());
    const request: TaskRequest = { moduleHref: job.task.moduleHref, name: job.task.name, input: job.input, label: job.label, port: port2, ...placement };
    return this.#piscina.run(request, { signal, transferList: [port2] }).then(
      (outcome) => {
        port1.close(); // the task's later calls reject with ERR_CHANNEL_CLOSED
        return outcome;
      },
      (error: unknown) => {
        port1.close();
        throw error;
      },
    );
  }

  async check(task: AnyTaskDefinition): Promise<TaskLoadFailure | undefined> {
    const outcome = await this.#piscina.run({ moduleHref: task.moduleHref, name: task.name, input: undefined, check: true }).catch((error: unknown) => {
      throw crashError(`check of task "${task.name}"`, error);
    });
    return outcome.ok ? undefined : (outcome as TaskLoadFailure);
  }

  failure(job: BackendJob, error: unknown): Error {
    return error instanceof TaskCrashedError ? error : crashError(job.label, error);
  }

  async destroy(): Promise<void> {
    this.#ledger?.clear();
    await this.#piscina.destroy();
  }
}
/** Maps a piscina rejection (never a task's own throw: those resolve) to a steward error. */
function crashError(label: string, error: unknown): Error {
  const err = error instanceof Error ? error : new Error(String(error));
  const exited = /worker exited with code: (-?\d+)/.exec(err.message);
  if (exited) {
    const exitCode = Number(exited[1]);
    return new TaskCrashedError(`${label} crashed: its thread exited with code ${exitCode}`, { exitCode, cause: err });
  }
  const code = (err as { code?: unknown }).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new TaskCrashedError(`${label} crashed: its thread ran out of memory (resourceLimits)`, { cause: err });
  }
  return new TaskCrashedError(`${label} crashed: its thread failed: ${err.name}: ${err.message}`, { cause: err });
}
