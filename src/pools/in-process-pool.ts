/**
 * {@link TaskPool} that runs tasks on the caller's thread, for the simulator
 * and for unit tests that need no threads. Same queue, timeouts, codes and
 * schemas as {@link PiscinaPool}; inputs, results and progress pass through
 * `structuredClone`, so a task can share nothing by accident. It cannot stop
 * running code: a cancelled task is rejected and its slot freed at once, and
 * whatever it returns later is dropped. Crashes happen only when a
 * {@link TaskGate} injects them.
 */
import type { Clock } from '../runtime/ports/index.js';
import { DispatchedPool } from './dispatched-pool.js';
import type { BackendJob, ChannelHandlers, TaskBackend } from './dispatcher.js';
import type { TaskOutcome } from './envelope.js';
import { ChannelClosedError, PoolClosedError, TaskCrashedError } from './errors.js';
import type { StopSignal } from './stop-signal.js';
import type { TaskChannel } from './task.js';
import { runTask } from './task-runner.js';

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
}

/**
 * A pool without threads, with the same contract as {@link PiscinaPool}.
 *
 * @example
 * ```ts
 * const held: Array<() => void> = [];
 * const pool = new InProcessPool({ name: 'download', clock: virtualClock, gate: (complete) => held.push(complete) });
 * const outcome = pool.run(download, { url });
 * // ...later the simulator picks which completion lands first:
 * held.shift()?.();
 * ```
 */
export class InProcessPool extends DispatchedPool {
  constructor(options: InProcessPoolOptions) {
    super(
      { ...options, capacity: Math.max(1, options.concurrency ?? 1) },
      new InProcessBackend(options.gate ?? ((complete) => complete())),
    );
  }
}

class InProcessBackend implements TaskBackend {
  readonly prefetch = 0;
  readonly #gate: TaskGate;
  readonly #live = new Set<(error: Error) => void>();

  constructor(gate: TaskGate) {
    this.#gate = gate;
  }

  execute(job: BackendJob, signal: StopSignal): Promise<TaskOutcome> {
    return new Promise<TaskOutcome>((resolve, reject) => {
      let open = true;
      const stop = (error: Error): void => {
        if (!open) return;
        open = false;
        this.#live.delete(stop);
        signal.off('abort', onAbort);
        reject(error);
      };
      const onAbort = (): void => stop(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      signal.once('abort', onAbort);
      this.#live.add(stop);
      const crash = (error: Error): void => stop(new TaskCrashedError(`${job.label} crashed: ${error.message}`, { cause: error }));
      const channel = job.channel ? gatedChannel(job.channel, job.label, () => open, this.#gate, crash) : undefined;
      // runTask hands back a clone of the result, as a thread would.
      runTask(job.task.moduleHref, job.task.name, structuredClone(job.input), channel, 'clone').then((outcome) => {
        if (!open) return; // cancelled meanwhile: nothing left to order
        this.#gate(
          () => {
            if (!open) return;
            open = false;
            this.#live.delete(stop);
            signal.off('abort', onAbort);
            resolve(outcome);
          },
          crash,
          'completion',
        );
      });
    });
  }

  failure(_job: BackendJob, error: unknown): Error {
    return error instanceof Error ? error : new Error(String(error));
  }

  async destroy(): Promise<void> {
    for (const stop of [...this.#live]) stop(new PoolClosedError('in-process pool destroyed'));
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
