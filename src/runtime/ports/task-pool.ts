import type { z } from 'zod';

/**
 * What a run's `signal` must offer. An `AbortSignal` has it; so does the
 * lighter signal `ctx.startTask` passes, since an AbortController per task
 * (an EventTarget, and its listeners) was a measurable part of a task's cost.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const signal: TaskSignal = controller.signal; // an AbortSignal is a TaskSignal
 * await pool.run(downloadTask, { url }, { signal });
 * ```
 */
export interface TaskSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: AbortListener, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: AbortListener): void;
}

/**
 * Called when a {@link TaskSignal} aborts: a function, or an object with `handleEvent`, as `EventTarget` allows.
 *
 * @example
 * ```ts
 * const onAbort: AbortListener = () => console.log('download cancelled');
 * signal.addEventListener('abort', onAbort, { once: true });
 * ```
 */
export type AbortListener = (() => void) | { handleEvent(): void };

/**
 * Hears how one run ended; see {@link TaskPool.start}. A promise's resolvers have this shape.
 *
 * @example
 * ```ts
 * const receiver: TaskReceiver<{ sha256: string }> = {
 *   resolve: ({ sha256 }) => console.log(`checksum ${sha256}`),
 *   reject: (error) => console.error(error.message),
 * };
 * ```
 */
export interface TaskReceiver<TResult> {
  resolve(value: TResult): void;
  reject(error: Error): void;
}

/**
 * Per-run options of `TaskPool.run`.
 *
 * @example
 * ```ts
 * declare const watchdog: { reset(): void };
 * declare const bar: { update(pct: number): void };
 * const controller = new AbortController();
 * await pool.run(downloadTask, { url }, { signal: controller.signal, timeoutMs: 180_000, onHeartbeat: () => watchdog.reset() });
 * await pool.run(checksumTask, { path }, { onProgress: (pct) => bar.update(pct) });
 * ```
 */
export interface RunTaskOptions<TProgress = never> {
  /** Cancels the task: removed from the queue, or its thread stopped if running. Usually an `AbortSignal`. */
  readonly signal?: TaskSignal;
  /** Bound on queueing plus running; defaults to the pool's `defaultTimeoutMs`. `Infinity` disables it. */
  readonly timeoutMs?: number;
  /** Called with each validated progress report, in the order the task sent them, before the run settles. */
  readonly onProgress?: (report: TProgress) => void;
  readonly onHeartbeat?: () => void;
}

/** What the runtime needs to know of a task definition: its name, and the types its schemas carry. */
export interface TaskDescriptor<TInput, TResult, TProgress = never> {
  readonly name: string;
  readonly input: z.ZodType<TInput>;
  readonly result: z.ZodType<TResult>;
  readonly progress: z.ZodType<TProgress> | undefined;
  /** Where the task's module lives, for diagnostics (events name it). */
  readonly moduleHref: string;
}

/**
 * The task-pool port: what `ctx.startTask` and shutdown need of a pool.
 * `steward/pools` implements it (Piscina, in-process); the runtime never
 * imports a pool.
 */
export interface TaskPoolPort {
  readonly name: string;
  run<TInput, TResult, TProgress>(task: TaskDescriptor<TInput, TResult, TProgress>, input: TInput, options?: RunTaskOptions<TProgress>): Promise<TResult>;
  /** Optional fast path: report through `receiver` instead of a promise. */
  start?<TInput, TResult, TProgress>(
    task: TaskDescriptor<TInput, TResult, TProgress>,
    input: TInput,
    options: RunTaskOptions<TProgress>,
    receiver: TaskReceiver<TResult>,
  ): void;
  close(options?: { readonly deadlineMs?: number }): Promise<void>;
  /**
   * Optional: hears the pool's incidents (a thread recycled because a task
   * outlived its grace, a thread that failed outside any task). A system
   * subscribes and forwards each one to its events as `pool.incident`.
   * Returns the unsubscribe.
   */
  onIncident?(listener: (incident: TaskPoolIncident) => void): () => void;
  /** Optional: the pool's queue now, for `system.metrics()` and dashboards. */
  stats?(): TaskPoolStats;
}

/**
 * What the runtime knows of a pool incident: an error with a stable code
 * (`steward/pools` reports `ERR_THREAD_RECYCLED`, `ERR_POOL_THREAD_ERROR`).
 *
 * @example
 * ```ts
 * declare const metrics: { count(name: string): void };
 * system.events.on('pool.incident', ({ pool, code }) => metrics.count(`${pool}.${code}`));
 * ```
 */
export interface TaskPoolIncident extends Error {
  readonly code: string;
}

/**
 * What a pool reports of its queue: tasks waiting, tasks running, and how many can run at once.
 *
 * @example
 * ```ts
 * const { queued, running, capacity } = pool.stats();
 * if (running === capacity && queued > 100) log.warn({ pool: pool.name, queued }, 'pool saturated');
 * ```
 */
export interface TaskPoolStats {
  readonly queued: number;
  readonly running: number;
  readonly capacity: number;
}
