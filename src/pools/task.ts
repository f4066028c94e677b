/**
 * What a task is (its definition, with the schemas guarding both ends of the
 * thread boundary) and what a pool promises to do with it.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import type { RunTaskOptions, TaskReceiver } from '../runtime/ports/index.js';

/**
 * A task, as both the owner and the pool see it. Build one with {@link defineTask}.
 * `TInput`, `TResult` and `TProgress` are inferred from the schemas.
 *
 * @example
 * ```ts
 * const checksumTask: TaskDefinition<{ path: string }, { sha256: string }, number> = defineTask({
 *   name: 'checksum', module: new URL('./tasks/checksum.js', import.meta.url),
 *   input: z.object({ path: z.string() }), result: z.object({ sha256: z.string() }), progress: z.number(),
 * });
 * ```
 */
export interface TaskDefinition<TInput, TResult, TProgress = never> {
  /** Name of the task, and of the function the module exports (else its default export). */
  readonly name: string;
  /** `file:` URL of the compiled ES module holding the task function. */
  readonly moduleHref: string;
  readonly input: z.ZodType<TInput>;
  readonly result: z.ZodType<TResult>;
  /** Schema of progress reports; when set, the task gets a {@link TaskChannel}. */
  readonly progress: z.ZodType<TProgress> | undefined;
  /**
   * Whether the task gets a {@link TaskChannel}. A channel (a MessagePort
   * transferred with the task, spoken over with comlink) costs about three
   * task round trips, so only tasks that report progress or heartbeats get one.
   */
  readonly channel: boolean;
}

/**
 * Any task definition, whatever its types.
 *
 * @example
 * ```ts
 * const tasksByName = new Map<string, AnyTaskDefinition>([[checksumTask.name, checksumTask], [downloadTask.name, downloadTask]]);
 * ```
 */
export type AnyTaskDefinition = TaskDefinition<any, any, any>;
/**
 * The input type of a task definition.
 *
 * @example
 * ```ts
 * type ChecksumInput = TaskInputOf<typeof checksumTask>; // { path: string }
 * ```
 */
export type TaskInputOf<T> = T extends TaskDefinition<infer I, unknown, unknown> ? I : never;
/**
 * The result type of a task definition.
 *
 * @example
 * ```ts
 * type Checksum = TaskResultOf<typeof checksumTask>; // { sha256: string }
 * ```
 */
export type TaskResultOf<T> = T extends TaskDefinition<unknown, infer R, unknown> ? R : never;
/**
 * The progress type of a task definition.
 *
 * @example
 * ```ts
 * const showProgress = (pct: TaskProgressOf<typeof checksumTask>) => console.log(`${pct}%`); // pct: number
 * ```
 */
export type TaskProgressOf<T> = T extends TaskDefinition<unknown, unknown, infer P> ? P : never;

/**
 * What a task function receives as its second argument when its definition
 * asked for a channel. Every call is delivered to the owner in order; the
 * promise settles once the owner has it, and rejects with `ERR_CHANNEL_CLOSED`
 * when the owner is gone (the run settled, the pool closed) instead of hanging.
 *
 * @example
 * ```ts
 * import { createHash } from 'node:crypto';
 * import { readFile } from 'node:fs/promises';
 * export async function checksum({ path }: { path: string }, channel?: TaskChannel<number>) {
 *   await channel?.progress(50); // settles once the owner has it; rejects with ERR_CHANNEL_CLOSED if the owner is gone
 *   return { sha256: createHash('sha256').update(await readFile(path)).digest('hex') };
 * }
 * ```
 */
export interface TaskChannel<TProgress = never> {
  progress(report: TProgress): Promise<void>;
  heartbeat(): Promise<void>;
}

/**
 * The function a task module exports (under the task's name, or as default).
 *
 * @example
 * ```ts
 * // tasks/hash.ts, compiled to dist/tasks/hash.js
 * export const hash: TaskFunction<{ path: string }, string, number> = async ({ path }, channel) => {
 *   await channel?.progress(50);
 *   return path.length.toString(16); // the real work here
 * };
 * ```
 */
export type TaskFunction<TInput, TResult, TProgress = never> = (
  input: TInput,
  channel?: TaskChannel<TProgress>,
) => TResult | Promise<TResult>;

/**
 * Options of {@link defineTask}.
 *
 * @example
 * ```ts
 * const downloadTask = defineTask({
 *   name: 'download', module: '/srv/app/dist/tasks/download.js', // a file: URL, its href, or an absolute path
 *   input: z.object({ url: z.string().url() }), result: z.object({ path: z.string() }), heartbeat: true,
 * });
 * ```
 */
export interface DefineTaskOptions<TIn extends z.ZodType, TOut extends z.ZodType, TProg extends z.ZodType | undefined> {
  readonly name: string;
  /** The compiled `.js` module: a `file:` URL, its href, or an absolute path. */
  readonly module: URL | string;
  readonly input: TIn;
  readonly result: TOut;
  readonly progress?: TProg;
  /** Give the task a channel for heartbeats even without a progress schema. */
  readonly heartbeat?: boolean;
}

/**
 * Defines a task: where its code lives and the schemas its input, result and
 * progress must match when they cross the thread boundary.
 *
 * @example
 * ```ts
 * const hashFile = defineTask({
 *   name: 'hash',
 *   module: new URL('./tasks/hash.js', import.meta.url),
 *   input: z.object({ path: z.string() }),
 *   result: z.string(),
 *   progress: z.number().min(0).max(100),
 * });
 * const digest = await pool.run(hashFile, { path: '/tmp/a' }, { onProgress: (pct) => console.log(`${pct}%`) });
 * ```
 */
export function defineTask<TIn extends z.ZodType, TOut extends z.ZodType, TProg extends z.ZodType | undefined = undefined>(
  options: DefineTaskOptions<TIn, TOut, TProg>,
): TaskDefinition<z.output<TIn>, z.output<TOut>, TProg extends z.ZodType ? z.output<TProg> : never> {
  const progress = options.progress as z.ZodType<TProg extends z.ZodType ? z.output<TProg> : never> | undefined;
  return Object.freeze({
    name: options.name,
    moduleHref: toModuleHref(options.module),
    input: options.input as z.ZodType<z.output<TIn>>,
    result: options.result as z.ZodType<z.output<TOut>>,
    progress,
    channel: progress !== undefined || options.heartbeat === true,
  });
}

function toModuleHref(module: URL | string): string {
  if (module instanceof URL) return module.href;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  return new URL(module).href; // throws on a relative path, which could only be resolved against a guess
}

export type { AbortListener, RunTaskOptions, TaskReceiver, TaskSignal } from '../runtime/ports/index.js';

/**
 * Options of {@link TaskPool.close}.
 *
 * @example
 * ```ts
 * await pool.close({ deadlineMs: 5_000 }); // running downloads get 5 s more, then reject with ERR_POOL_CLOSED
 * ```
 */
export interface ClosePoolOptions {
  /** How long running tasks may still finish; then they are stopped and rejected with `ERR_POOL_CLOSED`. */
  readonly deadlineMs?: number;
}

/**
 * A named pool that runs tasks away from the actors' turn loop. Implemented by
 * {@link PiscinaPool} (threads) and {@link InProcessPool} (simulator, unit tests).
 *
 * @example
 * ```ts
 * const validateFile = defineTask({
 *   name: 'validateFile', module: new URL('./tasks/validate.js', import.meta.url),
 *   input: z.object({ path: z.string() }), result: z.object({ ok: z.boolean() }),
 * });
 * const pool: TaskPool = new PiscinaPool({ name: 'validate', maxThreads: 2, maxQueue: 100 });
 * try { await pool.run(validateFile, { path }, { timeoutMs: 5_000 }); }
 * catch (err) { if (!(err instanceof TaskTimeoutError)) throw err; }
 * await pool.close({ deadlineMs: 10_000 });
 * ```
 */
export interface TaskPool {
  readonly name: string;
  /**
   * Runs a task. Rejects with `ERR_INVALID_TASK_INPUT`, `ERR_POOL_FULL`,
   * `ERR_POOL_CLOSED`, `ERR_TASK_TIMEOUT`, `ERR_TASK_ABORTED`, `ERR_TASK_FAILED`,
   * `ERR_TASK_CRASHED` or `ERR_INVALID_TASK_RESULT`; never retries.
   */
  run<TInput, TResult, TProgress>(
    task: TaskDefinition<TInput, TResult, TProgress>,
    input: TInput,
    options?: RunTaskOptions<TProgress>,
  ): Promise<TResult>;
  /**
   * {@link TaskPool.run} without the promise: the outcome goes to `receiver`,
   * exactly once, possibly before `start` returns (a refused run) or from
   * inside the signal's abort. An actor with thousands of tasks in flight
   * otherwise pays a promise, a reaction and their closures per task;
   * `ctx.startTask` uses this when the pool has it.
   * @internal
   */
  start?<TInput, TResult, TProgress>(
    task: TaskDefinition<TInput, TResult, TProgress>,
    input: TInput,
    options: RunTaskOptions<TProgress>,
    receiver: TaskReceiver<TResult>,
  ): void;
  /** Refuses new tasks, cancels queued ones, lets running ones finish until the deadline, then stops every thread. */
  close(options?: ClosePoolOptions): Promise<void>;
}
