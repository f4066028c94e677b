/**
 * The seam between a pool's dispatcher and what runs its tasks (Piscina's
 * threads, or the in-process executor): one job as the executor sees it, and
 * what an executor must do with it.
 * @internal
 */
import type { TaskLoadFailure, TaskOutcome } from './envelope.js';
import type { StopSignal } from './stop-signal.js';
import type { AnyTaskDefinition } from './task.js';

/** What the owner's side serves on a task's channel. */
export interface ChannelHandlers {
  progress(report: unknown): void;
  heartbeat(): void;
}

/** One task as an executor sees it. */
export interface BackendJob {
  /** `task "x" #3 on pool "p"`, built only when needed. */
  readonly label: string;
  readonly task: AnyTaskDefinition;
  /** Already validated against `task.input`. */
  readonly input: unknown;
  readonly channel: ChannelHandlers | undefined;
  /** The thread it was placed on, where threads are shared (see `ThreadLedger`). */
  thread: number | undefined;
}

/**
 * Runs jobs. `execute` resolves with the task's outcome, rejects when the
 * executor itself failed (thread crash; see `failure`), and must
 * settle promptly once `stop` fires, or when `destroy` is called.
 */
export interface TaskBackend {
  /**
   * Jobs the executor may hold beyond `capacity`, waiting, and start by
   * itself in the order given the moment a slot frees; firing `stop` takes a
   * waiting job back without side effects. Handing the next job over ahead
   * keeps a thread from idling while the owner's side reacts to the last
   * result (piscina refills a thread from its own queue synchronously).
   */
  readonly prefetch: number;
  /**
   * Free slots the executor cannot use now (those of a thread it stopped
   * routing to): the dispatcher hands over at most `capacity - running - blocked`.
   * It only shrinks when one of the executor's runs settles.
   */
  readonly blocked: number;
  execute(job: BackendJob, stop: StopSignal): Promise<TaskOutcome>;
  /** Loads the task's module and finds its function where tasks run, running nothing. */
  check(task: AnyTaskDefinition): Promise<TaskLoadFailure | undefined>;
  /** Turns a rejection of `execute` into the steward error the caller gets. */
  failure(job: BackendJob, error: unknown): Error;
  destroy(): Promise<void>;
}
