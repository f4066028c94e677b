/**
 * Errors a {@link TaskPool} rejects with. Every one has a fixed `name`, a
 * literal `code`, the pool name, task name and task id in its message, and the
 * underlying error (if any) as `cause`.
 */
import { errorClass, issuesErrorClass, type StewardErrorOptions } from '../errors.js';

/**
 * The task did not finish within its timeout (queued or running). A running
 * task's thread is stopped where the pool can; with
 * `concurrentTasksPerWorker` > 1 (and in an `InProcessPool`) its result is
 * dropped instead, and a shared thread still running it after the grace
 * period is recycled.
 *
 * @example
 * ```ts
 * declare function scheduleRetry(url: string): void;
 * await pool.run(downloadTask, { url }, { timeoutMs: 180_000 }).catch((error) => {
 *   if (error instanceof TaskTimeoutError) return scheduleRetry(url);
 *   throw error;
 * });
 * ```
 */
export class TaskTimeoutError extends errorClass('TaskTimeoutError', 'ERR_TASK_TIMEOUT') {}
/**
 * The caller's `AbortSignal` fired (the signal's reason is the `cause`). A
 * running task is stopped as on a timeout (see {@link TaskTimeoutError}).
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const file = pool.run(downloadTask, { url }, { signal: controller.signal });
 * controller.abort(new Error('user cancelled the download'));
 * await file.catch((error) => { if (error instanceof TaskAbortedError) console.log('cancelled:', error.cause); });
 * ```
 */
export class TaskAbortedError extends errorClass('TaskAbortedError', 'ERR_TASK_ABORTED') {}
/**
 * The task threw or rejected inside its thread; the (cloned) error is the `cause`.
 *
 * @example
 * ```ts
 * await pool.run(checksumTask, { path }).catch((error) => {
 *   if (error instanceof TaskFailedError) console.error(`checksum of ${path} threw`, error.cause);
 * });
 * ```
 */
export class TaskFailedError extends errorClass('TaskFailedError', 'ERR_TASK_FAILED') {
  /** `file:` URL of the task's module. */
  readonly module: string;
  /** The export that ran: the task's name, or `default`. */
  readonly export: string;
  /** The message without the text the task threw (its error's name and code only): safe for logs and events. */
  readonly publicMessage: string;
  constructor(message: string, options: TaskModuleErrorOptions & { readonly publicMessage: string }) {
    super(message, options);
    this.module = options.module;
    this.export = options.export;
    this.publicMessage = options.publicMessage;
  }
}

/**
 * Where a task's code was looked for: its module and the export.
 *
 * @example
 * ```ts
 * new TaskModuleError('task "hash" #1 on pool "cpu" refused: …', { module: 'file:///srv/tasks/hash.js', export: 'hash' });
 * ```
 */
export interface TaskModuleErrorOptions extends StewardErrorOptions {
  readonly module: string;
  readonly export: string;
}

/**
 * The task's module could not be loaded (missing file, a throw at its top
 * level) or has no function under the task's name and no default function.
 * The import error, if any, is the `cause`. Nothing of the task ran.
 *
 * @example
 * ```ts
 * await pool.check(checksumTask).catch((error) => {
 *   if (error instanceof TaskModuleError) throw new Error(`deploy is broken: ${error.module} (${error.export})`, { cause: error });
 * });
 * ```
 */
export class TaskModuleError extends errorClass('TaskModuleError', 'ERR_TASK_MODULE') {
  readonly module: string;
  readonly export: string;
  constructor(message: string, options: TaskModuleErrorOptions) {
    super(message, options);
    this.module = options.module;
    this.export = options.export;
  }
}
/**
 * The pool's queue is at `maxQueue`; nothing was queued. Retry later or shed load.
 *
 * @example
 * ```ts
 * const downloads = new PiscinaPool({ name: 'download', maxThreads: 2, maxQueue: 500 });
 * await downloads.run(downloadTask, { url }).catch((error) => { if (!(error instanceof PoolFullError)) throw error; }); // full: try again later
 * ```
 */
export class PoolFullError extends errorClass('PoolFullError', 'ERR_POOL_FULL') {}
/**
 * The pool is closing or closed: the task was refused, or cancelled before or at the close deadline.
 *
 * @example
 * ```ts
 * await pool.close({ deadlineMs: 5_000 });
 * await pool.run(downloadTask, { url }).catch((error) => { if (error.code === 'ERR_POOL_CLOSED') console.log('pool is shut: not downloaded'); });
 * ```
 */
export class PoolClosedError extends errorClass('PoolClosedError', 'ERR_POOL_CLOSED') {}
/**
 * A progress channel call could not complete because the other end of its port closed or its thread died.
 *
 * @example
 * ```ts
 * // inside a task function: the owner timed out, cancelled, or closed the pool
 * export async function download({ url }: { url: string }, channel?: TaskChannel<number>) {
 *   const abandoned = await channel?.progress(10).then(() => false, (error: unknown) => {
 *     if (error instanceof ChannelClosedError) return true; // code 'ERR_CHANNEL_CLOSED'
 *     throw error;
 *   });
 *   return { path: abandoned ? '' : `/tmp/${encodeURIComponent(url)}` };
 * }
 * ```
 */
export class ChannelClosedError extends errorClass('ChannelClosedError', 'ERR_CHANNEL_CLOSED') {}

/**
 * Options of errors that carry an exit code.
 *
 * @example
 * ```ts
 * declare const error: Error; // what the worker thread died of
 * new TaskCrashedError('task "download" #7 on pool "download" crashed: its thread exited with code 3', { exitCode: 3, cause: error });
 * ```
 */
export interface TaskCrashedErrorOptions extends StewardErrorOptions {
  readonly exitCode?: number;
}

/**
 * The task's thread died under it: `process.exit`, an error thrown outside the
 * task, running out of memory. Not retried: the owner decides.
 *
 * @example
 * ```ts
 * await pool.run(checksumTask, { path }).catch((error) => {
 *   if (error instanceof TaskCrashedError) console.error(`thread died (exit code ${error.exitCode ?? 'none'})`, error.cause);
 * });
 * ```
 */
export class TaskCrashedError extends errorClass('TaskCrashedError', 'ERR_TASK_CRASHED') {
  /** The thread's exit code, when it exited with one. */
  readonly exitCode: number | undefined;
  constructor(message: string, options: TaskCrashedErrorOptions = {}) {
    super(message, options);
    this.exitCode = options.exitCode;
  }
}

/**
 * The input does not match the task's `input` schema; no thread was used.
 *
 * @example
 * ```ts
 * await pool.run(downloadTask, { url: 'not a url' }).catch((error) => {
 *   if (error instanceof InvalidTaskInputError) console.log(error.issues); // [{ path: ['url'], message: …, code: … }]
 * });
 * ```
 */
export class InvalidTaskInputError extends issuesErrorClass('InvalidTaskInputError', 'ERR_INVALID_TASK_INPUT') {}

/**
 * The task returned (or reported as progress) something its schema refuses, or something that cannot cross a thread.
 *
 * @example
 * ```ts
 * await pool.run(checksumTask, { path }).catch((error) => {
 *   if (error.code === 'ERR_INVALID_TASK_RESULT') console.error('checksum task broke its result schema', error.issues);
 * });
 * ```
 */
export class InvalidTaskResultError extends issuesErrorClass('InvalidTaskResultError', 'ERR_INVALID_TASK_RESULT') {}

/**
 * A pool thread failed outside any task (piscina's `'error'` event): a throw
 * in a timer a task left behind, say. The thread is replaced; the error is the
 * `cause`. Reported to the pool's `onIncident`.
 *
 * @example
 * ```ts
 * new PiscinaPool({ name: 'io', onIncident: (incident) => { if (incident instanceof PoolThreadError) log.error(incident.cause); } });
 * ```
 */
export class PoolThreadError extends errorClass('PoolThreadError', 'ERR_POOL_THREAD_ERROR') {}

/**
 * A pool recycled a thread because a task on it was cancelled or timed out
 * and still ran after the grace period; the tasks running beside it failed
 * with `ERR_TASK_CRASHED`. Reported to the pool's `onIncident`.
 *
 * @example
 * ```ts
 * declare const metrics: { count(name: string): void };
 * new PiscinaPool({ name: 'io', concurrentTasksPerWorker: 8, onIncident: (incident) => metrics.count(incident.code) });
 * ```
 */
export class ThreadRecycledError extends errorClass('ThreadRecycledError', 'ERR_THREAD_RECYCLED') {
  /** Why, as a phrase: `task "x" #3 on pool "p" still ran 1000 ms after it timed out`. */
  readonly because: string;
  constructor(pool: string, because: string) {
    super(`pool "${pool}" recycled a thread: ${because}`);
    this.because = because;
  }
}

/**
 * What a pool reports about its threads, beside the outcomes of runs.
 *
 * @example
 * ```ts
 * const onIncident = (incident: PoolIncident) => log.warn({ code: incident.code }, incident.message);
 * ```
 */
export type PoolIncident = PoolThreadError | ThreadRecycledError;

/**
 * Every error a run on a steward pool ends with: switch on `code`.
 *
 * @example
 * ```ts
 * function retryable(error: TaskRunError): boolean {
 *   switch (error.code) {
 *     case 'ERR_TASK_TIMEOUT': case 'ERR_TASK_CRASHED': case 'ERR_POOL_FULL': return true;
 *     default: return false;
 *   }
 * }
 * ```
 */
export type TaskRunError =
  | TaskTimeoutError
  | TaskAbortedError
  | TaskFailedError
  | TaskModuleError
  | TaskCrashedError
  | PoolFullError
  | PoolClosedError
  | InvalidTaskInputError
  | InvalidTaskResultError;
