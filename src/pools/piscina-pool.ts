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
import type { Clock } from '../runtime/ports/index.js';
import { DispatchedPool } from './dispatched-pool.js';
import { exposeChannel } from './channel.js';
import type { StopSignal } from './stop-signal.js';
import type { BackendJob, TaskBackend } from './dispatcher.js';
import type { TaskOutcome, TaskRequest } from './envelope.js';
import { TaskCrashedError } from './errors.js';

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
   * #934): its slot frees when the task returns, and its outcome is dropped.
   */
  readonly concurrentTasksPerWorker?: number;
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
 * const file = await pool.run(download, { url }, { timeoutMs: 180_000, signal, onProgress: (pct) => report(pct) });
 * await pool.close({ deadlineMs: 5_000 });
 * ```
 */
export class PiscinaPool extends DispatchedPool {
  readonly #piscina: Piscina<TaskRequest, TaskOutcome>;

  constructor(options: PiscinaPoolOptions) {
    const concurrent = Math.max(1, options.concurrentTasksPerWorker ?? 1);
    const piscina = new Piscina<TaskRequest, TaskOutcome>({
      filename: WORKER_ENTRY,
      name: 'runStewardTask',
      ...(options.minThreads === undefined ? {} : { minThreads: options.minThreads }),
      ...(options.maxThreads === undefined ? {} : { maxThreads: options.maxThreads }),
      ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: { ...options.resourceLimits } }),
      concurrentTasksPerWorker: concurrent,
      atomics: options.atomics ?? (concurrent > 1 ? 'async' : 'sync'),
    });
    // A thread error with no task on it (e.g. a fire-and-forget throw after the task returned)
    // is emitted as 'error'; unhandled, it would take down the owner's process.
    piscina.on('error', () => {});
    super({ ...options, capacity: piscina.maxThreads * concurrent }, new PiscinaBackend(piscina, concurrent === 1));
    this.#piscina = piscina;
  }

  /** Threads alive now (tests use it to check shutdown). */
  get threadCount(): number {
    return this.#piscina.threads.length;
  }
}

class PiscinaBackend implements TaskBackend {
  readonly #piscina: Piscina<TaskRequest, TaskOutcome>;
  /** Only a task alone on its thread may have it stopped; see `concurrentTasksPerWorker`. */
  readonly #stopThreadOnAbort: boolean;
  /**
   * One task waits in piscina's queue, which piscina posts to the next free
   * thread before it even reports the last result; its signal takes it back
   * out of the queue unstarted. Tasks without a signal (shared threads) could
   * not be taken back, so they are never handed ahead; nor with
   * `minThreads: 0`, where a stopped thread might not be replaced until the
   * next task arrives.
   */
  readonly prefetch: number;

  constructor(piscina: Piscina<TaskRequest, TaskOutcome>, stopThreadOnAbort: boolean) {
    this.#piscina = piscina;
    this.#stopThreadOnAbort = stopThreadOnAbort;
    this.prefetch = stopThreadOnAbort && piscina.minThreads >= 1 ? 1 : 0;
  }

  execute(job: BackendJob, stop: StopSignal): Promise<TaskOutcome> {
    const signal = this.#stopThreadOnAbort ? stop : null;
    if (!job.channel) {
      return this.#piscina.run({ moduleHref: job.task.moduleHref, name: job.task.name, input: job.input }, { signal });
    }
    const { port1, port2 } = new MessageChannel();
    exposeChannel(port1, job.channel);
    // Once the run is settled (timeout, abort, close) the task must learn it on its next call,
    // even in a shared thread that keeps running it.
    stop.once('abort', () => port1.close());
    const request: TaskRequest = { moduleHref: job.task.moduleHref, name: job.task.name, input: job.input, label: job.label, port: port2 };
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

  failure(job: BackendJob, error: unknown): Error {
    return crashError(job.label, error);
  }

  async destroy(): Promise<void> {
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
