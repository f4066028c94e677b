/**
 * {@link TaskPool} that runs tasks on the caller's thread, for the simulator
 * and for unit tests that need no threads. Same queue, timeouts, codes and
 * schemas as {@link PiscinaPool}; inputs, results and progress pass through
 * `structuredClone`, so a task can share nothing by accident. It cannot stop
 * running code: a cancelled task is rejected at once and whatever it returns
 * later is dropped. Its slot frees at once too, as when piscina stops a
 * one-task thread; with `concurrentTasksPerWorker` > 1 it is kept, as on a
 * shared piscina thread, until the task really ends or its virtual thread is
 * recycled (see {@link PiscinaPoolOptions.concurrentTasksPerWorker}). Crashes
 * happen only when a {@link TaskGate} injects them.
 */
import { realClock, type Clock } from '../runtime/ports/index.js';
import { DispatchedPool, IncidentChannel } from './dispatched-pool.js';
import type { BackendJob, ChannelHandlers, TaskBackend } from './dispatcher.js';
import type { TaskLoadFailure, TaskOutcome } from './envelope.js';
import { ChannelClosedError, PoolClosedError, TaskCrashedError, type PoolIncident } from './errors.js';
import type { PiscinaPoolOptions } from './piscina-pool.js';
import type { StopSignal } from './stop-signal.js';
import type { AnyTaskDefinition, TaskChannel } from './task.js';
import { checkTask, runTask } from './task-runner.js';
import { DEFAULT_RECYCLE_GRACE_MS, ThreadLedger } from './thread-ledger.js';

/** A step of a task that a {@link TaskGate} orders: its completion, or one report on its channel. */
export type TaskStep = 'completion' | 'progress' | 'heartbeat';

/**
 * Holds one step of a task until `release` is called, so a deterministic
 * simulator decides the order of everything a task does: its completion and
 * each progress or heartbeat report. A task awaits its reports, so its work
 * between two reports interleaves with the rest of the system (a heartbeat
 * can come after a lease timer). Calling `crash(error)` instead ends the task
 * there as a dying thread would (`ERR_TASK_CRASHED`): that is how the
 * simulator injects task crashes, mid-task or at the end.
 */
export type TaskGate = (release: () => void, crash: (error: Error) => void, step: TaskStep) => void;

/** Options of {@link InProcessPool}. */
export interface InProcessPoolOptions {
  readonly name: string;
  /** Tasks running at once (default 1); the rest queue. */
  readonly concurrency?: number;
  /** Tasks waiting beyond the running ones; one more is refused with `ERR_POOL_FULL`. Default 10,000. */
  readonly maxQueue?: number;
  readonly clock?: Clock;
  readonly defaultTimeoutMs?: number;
  /** Called for each completion and report of a task; default releases at once. */
  readonly gate?: TaskGate;
  /**
   * Model threads that run this many tasks at once (default 1): the
   * `concurrency` slots form virtual threads of this size, and a task
   * cancelled while running keeps its slot and closes its thread to new tasks
   * until it ends, or for `recycleGraceMs` on the pool's clock; then the
   * thread is recycled and the tasks beside it fail with `ERR_TASK_CRASHED`.
   */
  readonly concurrentTasksPerWorker?: number;
  /** See {@link PiscinaPoolOptions.recycleGraceMs}. */
  readonly recycleGraceMs?: number;
  /** See {@link PiscinaPoolOptions.onIncident}; only recycles happen in-process. */
  readonly onIncident?: (incident: PoolIncident) => void;
}

/**
 * A pool without threads, with the same contract as {@link PiscinaPool}.
 *
 * @example
 * ```ts
 * const held: Array<() => void> = [];
 * const pool = new InProcessPool({ name: 'download', clock: new VirtualClock(), gate: (complete) => held.push(complete) });
 * const outcome = pool.run(downloadTask, { url });
 * // ...later the simulator picks which completion lands first:
 * held.shift()?.();
 * ```
 */
export class InProcessPool extends DispatchedPool {
  constructor(options: InProcessPoolOptions) {
    const capacity = Math.max(1, options.concurrency ?? 1);
    const perThread = Math.max(1, options.concurrentTasksPerWorker ?? 1);
    const clock = options.clock ?? realClock;
    const incidents = new IncidentChannel(options.onIncident);
    const backend = new InProcessBackend(options.gate ?? ((complete) => complete()), perThread, Math.ceil(capacity / perThread));
    if (perThread > 1) {
      backend.ledger = new ThreadLedger({
        pool: options.name,
        clock,
        graceMs: options.recycleGraceMs ?? DEFAULT_RECYCLE_GRACE_MS,
        perThread,
        recycle: (thread) => backend.recycle(thread),
        report: incidents.report,
      });
    }
    super({ ...options, clock, capacity }, backend, incidents);
  }
}

/** Ends a live run: rejects its promise unless it already settled. */
type EndRun = (error: Error) => void;

class InProcessBackend implements TaskBackend {
  readonly prefetch = 0;
  /** Set with shared virtual threads. */
  ledger: ThreadLedger | undefined;
  readonly #gate: TaskGate;
  readonly #perThread: number;
  readonly #maxThreads: number;
  readonly #live = new Set<EndRun>();
  /** Virtual threads by id, each with its live runs (shared threads only). */
  readonly #threads = new Map<number, Set<EndRun>>();
  #nextThread = 0;

  constructor(gate: TaskGate, perThread: number, maxThreads: number) {
    this.#gate = gate;
    this.#perThread = perThread;
    this.#maxThreads = maxThreads;
  }

  get blocked(): number {
    return this.ledger ? this.ledger.blocked : 0;
  }

  execute(job: BackendJob, signal: StopSignal): Promise<TaskOutcome> {
    const ledger = this.ledger;
    const run = this.#start(job, signal, ledger);
    return ledger ? ledger.settle(job, run) : run;
  }

  #start(job: BackendJob, signal: StopSignal, ledger: ThreadLedger | undefined): Promise<TaskOutcome> {
    return new Promise<TaskOutcome>((resolve, reject) => {
      let open = true;
      const thread = ledger ? this.#place(job, signal, ledger) : undefined;
      const finish = (): boolean => {
        if (!open) return false;
        open = false;
        this.#live.delete(end);
        thread?.delete(end);
        signal.off('abort', onAbort);
        return true;
      };
      const end: EndRun = (error) => {
        if (finish()) reject(error);
      };
      // A shared thread cannot stop the task: it runs on, holding its slot (the ledger decides its thread's fate).
      const onAbort = (): void => {
        if (ledger) ledger.stuck(job);
        else end(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      };
      signal.once('abort', onAbort);
      this.#live.add(end);
      thread?.add(end);
      const crash = (error: Error): void => end(new TaskCrashedError(`${job.label} crashed: ${error.message}`, { cause: error }));
      const listening = (): boolean => open && !signal.aborted;
      const channel = job.channel ? gatedChannel(job.channel, job.label, listening, this.#gate, crash) : undefined;
      // runTask hands back a clone of the result, as a thread would.
      void runTask(job.task.moduleHref, job.task.name, structuredClone(job.input), channel, 'clone').then((outcome) => {
        if (!open) return; // stopped meanwhile: nothing left to order
        this.#gate(() => void (finish() && resolve(outcome)), crash, 'completion');
      });
    });
  }

  /** Picks the least busy virtual thread still taking tasks, or starts one. */
  #place(job: BackendJob, signal: StopSignal, ledger: ThreadLedger): Set<EndRun> {
    let best: [number, Set<EndRun>] | undefined;
    for (const entry of this.#threads) {
      const size = entry[1].size;
      if (size < this.#perThread && ledger.routable(entry[0]) && (best === undefined || size < best[1].size)) best = entry;
    }
    if (best === undefined || (best[1].size > 0 && this.#threads.size < this.#maxThreads)) {
      best = [this.#nextThread++, new Set()];
      this.#threads.set(best[0], best[1]);
    }
    ledger.assign(job, best[0], signal);
    return best[1];
  }

  /** Recycles a virtual thread: every run still on it ends, and new tasks go to a fresh one. */
  recycle(thread: number): void {
    const runs = this.#threads.get(thread);
    this.#threads.delete(thread);
    for (const end of [...(runs ?? [])]) end(new Error(`virtual thread ${thread} recycled`));
  }

  async check(task: AnyTaskDefinition): Promise<TaskLoadFailure | undefined> {
    const outcome = await checkTask(task.moduleHref, task.name);
    return outcome.ok ? undefined : outcome;
  }

  failure(_job: BackendJob, error: unknown): Error {
    return error instanceof Error ? error : new Error(String(error));
  }

  async destroy(): Promise<void> {
    this.ledger?.clear();
    for (const end of [...this.#live]) end(new PoolClosedError('in-process pool destroyed'));
  }
}

/**
 * A channel whose calls arrive asynchronously and cloned, as they would from
 * a thread, each one when the gate releases it.
 */
function gatedChannel(handlers: ChannelHandlers, label: string, isOpen: () => boolean, gate: TaskGate, crash: (error: Error) => void): TaskChannel<unknown> {
  const closed = () => new ChannelClosedError(`progress channel of ${label} is closed: its owner is gone`);
  const call = async (step: TaskStep, deliver: () => void): Promise<void> => {
    await Promise.resolve();
    if (!isOpen()) throw closed();
    await new Promise<void>((release, fail) =>
      gate(release, (error) => {
        crash(error);
        fail(closed());
      }, step),
    );
    if (!isOpen()) throw closed();
    deliver();
  };
  return {
    progress: (report) => {
      const cloned = structuredClone(report);
      return call('progress', () => handlers.progress(cloned));
    },
    heartbeat: () => call('heartbeat', () => handlers.heartbeat()),
  };
}
