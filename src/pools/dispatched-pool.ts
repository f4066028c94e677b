import type { Clock, TaskPoolStats } from '../runtime/ports/index.js';
import { realClock } from '../runtime/ports/index.js';
import { DEFAULT_MAX_QUEUE, DEFAULT_TIMEOUT_MS, TaskDispatcher, type TaskBackend } from './dispatcher.js';
import type { PoolIncident } from './errors.js';
import type { AnyTaskDefinition, ClosePoolOptions, RunTaskOptions, TaskDefinition, TaskPool, TaskReceiver } from './task.js';

/** What every pool configures about its queue and timeouts. */
export interface DispatchOptions {
  readonly name: string;
  /** Tasks running at once. */
  readonly capacity: number;
  readonly maxQueue?: number;
  readonly clock?: Clock;
  readonly defaultTimeoutMs?: number;
}

/**
 * The part every {@link TaskPool} shares: steward's own queue, timeouts,
 * cancel and validation (the dispatcher), in front of a backend that runs
 * tasks on threads or in-process.
 * @internal
 */
export abstract class DispatchedPool implements TaskPool {
  readonly name: string;
  readonly #dispatcher: TaskDispatcher;
  readonly #incidents: IncidentChannel;

  protected constructor(options: DispatchOptions, backend: TaskBackend, incidents: IncidentChannel) {
    this.name = options.name;
    this.#incidents = incidents;
    this.#dispatcher = new TaskDispatcher(
      {
        name: options.name,
        capacity: options.capacity,
        maxQueue: options.maxQueue ?? DEFAULT_MAX_QUEUE,
        clock: options.clock ?? realClock,
        defaultTimeoutMs: options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      },
      backend,
    );
  }

  /** Tasks waiting in steward's queue. */
  get queued(): number {
    return this.#dispatcher.queued;
  }

  /** Tasks waiting, running, and how many can run at once (`system.metrics()` reads it). */
  stats(): TaskPoolStats {
    return { queued: this.#dispatcher.queued, running: this.#dispatcher.running, capacity: this.#dispatcher.capacity };
  }

  run<TInput, TResult, TProgress>(
    task: TaskDefinition<TInput, TResult, TProgress>,
    input: TInput,
    options?: RunTaskOptions<TProgress>,
  ): Promise<TResult> {
    return this.#dispatcher.run(task, input, options);
  }

  /** @internal See `TaskPool.start`. */
  start<TInput, TResult, TProgress>(
    task: TaskDefinition<TInput, TResult, TProgress>,
    input: TInput,
    options: RunTaskOptions<TProgress>,
    receiver: TaskReceiver<TResult>,
  ): void {
    this.#dispatcher.start(task, input, options, receiver);
  }

  /**
   * Loads `task`'s module where the pool runs tasks and checks it exports the
   * task's function, running nothing; rejects with `ERR_TASK_MODULE` (the
   * module and export named) otherwise. Call it at startup for each task a
   * service uses, so a broken deploy fails there instead of on a first run.
   *
   * @example
   * ```ts
   * await Promise.all([checksumTask, downloadTask].map((task) => pool.check(task)));
   * ```
   */
  check(task: AnyTaskDefinition): Promise<void> {
    return this.#dispatcher.check(task);
  }

  /** Hears this pool's incidents besides its `onIncident` option (an `ActorSystem` given the pool forwards them as `pool.incident`); returns the unsubscribe. */
  onIncident(listener: (incident: PoolIncident) => void): () => void {
    return this.#incidents.subscribe(listener);
  }

  close(options?: ClosePoolOptions): Promise<void> {
    return this.#dispatcher.close(options);
  }
}

/**
 * Where a pool reports incidents: its `onIncident` option and whoever
 * subscribed (a system, which forwards them to its events); with neither, a
 * process warning, so none is ever swallowed.
 * @internal
 */
export class IncidentChannel {
  readonly #listeners = new Set<(incident: PoolIncident) => void>();

  constructor(private readonly option: ((incident: PoolIncident) => void) | undefined) {}

  readonly report = (incident: PoolIncident): void => {
    this.option?.(incident);
    for (const listener of [...this.#listeners]) listener(incident);
    if (!this.option && this.#listeners.size === 0) process.emitWarning(incident);
  };

  subscribe(listener: (incident: PoolIncident) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}
