/**
 * Which task runs on which thread of a pool whose threads run several tasks
 * at once, and whether each thread may take more. Such a thread cannot be
 * stopped for one task without killing its neighbours, so a task cancelled or
 * timed out while running goes on running and keeps its slot. The ledger
 * stops routing to its thread at once (it may be stuck in a loop, freezing
 * everything on it), routes to it again if the task ends within the grace
 * period, and otherwise has the thread recycled: its neighbours fail with
 * `ERR_TASK_CRASHED`, and a fresh thread takes its place.
 * @internal
 */
import type { Clock, TimerHandle } from '../runtime/ports/index.js';
import { TaskCrashedError, ThreadRecycledError, type PoolIncident } from './errors.js';
import type { BackendJob } from './dispatcher.js';
import type { StopSignal } from './stop-signal.js';

/** Default grace (`recycleGraceMs`) of a cancelled task on a shared thread before its thread is recycled. */
export const DEFAULT_RECYCLE_GRACE_MS = 1_000;

export interface ThreadLedgerOptions {
  readonly pool: string;
  readonly clock: Clock;
  /** How long a cancelled task may keep running before its thread is recycled. */
  readonly graceMs: number;
  /** Tasks one thread runs at once. */
  readonly perThread: number;
  /** Ends `thread`; every task still on it must then settle promptly (rejected). */
  recycle(thread: number, incident: ThreadRecycledError): void;
  report(incident: PoolIncident): void;
}

interface ThreadState {
  /** Tasks on the thread whose task has not ended yet, with the signal that stops their run. */
  readonly jobs: Map<BackendJob, StopSignal>;
  /** Of those, the ones whose run settled while the task goes on. */
  readonly stuck: Set<BackendJob>;
  timer: TimerHandle | undefined;
  recycled: ThreadRecycledError | undefined;
}

export class ThreadLedger {
  readonly #options: ThreadLedgerOptions;
  readonly #threads = new Map<number, ThreadState>();
  /** Threads no task may go to (stuck or recycled); usually none, which keeps `blocked` free. */
  #closed = 0;

  constructor(options: ThreadLedgerOptions) {
    this.#options = options;
  }

  /** Whether a new task may go to `thread`. */
  routable(thread: number): boolean {
    const state = this.#threads.get(thread);
    return state === undefined || !isClosed(state);
  }

  /** Free slots on threads no task may go to: the dispatcher must not count them as free. */
  get blocked(): number {
    if (this.#closed === 0) return 0;
    let blocked = 0;
    for (const state of this.#threads.values()) if (isClosed(state)) blocked += Math.max(0, this.#options.perThread - state.jobs.size);
    return blocked;
  }

  /** `job` was placed on `thread`. A run already settled (cancelled while waiting) counts as stuck from here. */
  assign(job: BackendJob, thread: number, stop: StopSignal): void {
    let state = this.#threads.get(thread);
    if (!state) {
      state = { jobs: new Map(), stuck: new Set(), timer: undefined, recycled: undefined };
      this.#threads.set(thread, state);
    }
    job.thread = thread;
    state.jobs.set(job, stop);
    if (stop.aborted) this.stuck(job);
  }

  /** The run of `job` settled (cancel, timeout, close) but its task may still be running. */
  stuck(job: BackendJob): void {
    const state = job.thread === undefined ? undefined : this.#threads.get(job.thread);
    if (!state || state.recycled || !state.jobs.has(job)) return;
    const wasClosed = isClosed(state);
    state.stuck.add(job);
    if (!wasClosed) this.#closed++;
    const thread = job.thread as number;
    state.timer ??= this.#options.clock.setTimer(this.#options.graceMs, () => this.#expire(thread, state));
  }

  /**
   * The task of `job` really ended: it returned, or its thread died. Returns
   * the recycle that ended it, if the ledger had its thread recycled.
   */
  ended(job: BackendJob): ThreadRecycledError | undefined {
    const thread = job.thread;
    const state = thread === undefined ? undefined : this.#threads.get(thread);
    if (!state || !state.jobs.delete(job)) return undefined;
    const wasClosed = isClosed(state);
    state.stuck.delete(job);
    if (state.stuck.size === 0 && state.recycled === undefined && state.timer !== undefined) {
      this.#options.clock.clearTimer(state.timer);
      state.timer = undefined;
    }
    if (state.jobs.size === 0) this.#threads.delete(thread as number);
    if (wasClosed && (state.jobs.size === 0 || !isClosed(state))) this.#closed--;
    return state.recycled;
  }

  /**
   * Ends `job`'s entry once `run` (its thread's answer) settles: an outcome
   * passes through; a failure of a task whose thread the ledger recycled
   * becomes `ERR_TASK_CRASHED` saying why, the recycle as its cause.
   */
  settle<T>(job: BackendJob, run: Promise<T>): Promise<T> {
    return run.then(
      (outcome) => {
        this.ended(job);
        return outcome;
      },
      (error: unknown) => {
        const recycled = this.ended(job);
        throw recycled ? new TaskCrashedError(`${job.label} crashed: its thread was recycled because ${recycled.because}`, { cause: recycled }) : error;
      },
    );
  }

  /** Forgets every thread (the pool is destroyed) and cancels pending recycles. */
  clear(): void {
    for (const state of this.#threads.values()) if (state.timer !== undefined) this.#options.clock.clearTimer(state.timer);
    this.#threads.clear();
    this.#closed = 0;
  }

  #expire(thread: number, state: ThreadState): void {
    state.timer = undefined;
    const [culprit] = state.stuck;
    if (culprit === undefined || this.#threads.get(thread) !== state) return;
    const stop = state.jobs.get(culprit);
    const incident = new ThreadRecycledError(this.#options.pool, `${culprit.label} still ran ${this.#options.graceMs} ms after it ${howSettled(stop?.reason)}`);
    state.recycled = incident;
    this.#options.report(incident);
    this.#options.recycle(thread, incident);
  }
}

function isClosed(state: ThreadState): boolean {
  return state.stuck.size > 0 || state.recycled !== undefined;
}

/** How a run was settled, from the error its stop signal carries. */
function howSettled(reason: unknown): string {
  switch ((reason as { code?: unknown } | undefined)?.code) {
    case 'ERR_TASK_TIMEOUT':
      return 'timed out';
    case 'ERR_TASK_ABORTED':
      return 'was aborted';
    case 'ERR_POOL_CLOSED':
      return 'was stopped by close';
    default:
      return 'was cancelled';
  }
}
