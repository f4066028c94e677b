/**
 * The part of a pool that both implementations share: input validation, a
 * bounded FIFO in front of the executor, per-task timeouts on the injected
 * clock, abort, result validation and close with a deadline. The executor (a
 * {@link TaskBackend}) only runs what it is handed, at most `capacity` at once,
 * so the executor never queues and a queued task is cancelled here, exactly.
 * @internal
 */
import { channel } from 'node:diagnostics_channel';
import type { Clock } from '../runtime/ports/index.js';
import { summarizeIssues, toIssues } from '../issues.js';
import { Deadlines } from '../runtime/ports/index.js';
import type { TaskOutcome } from './envelope.js';
import { InvalidTaskInputError, PoolClosedError, PoolFullError, TaskAbortedError, TaskModuleError, TaskTimeoutError } from './errors.js';
import { JobQueue } from './job-queue.js';
import { channelHandlers, Job, labelOf } from './job.js';
import { failureOf, invalidResult } from './outcomes.js';
import { StopSignal } from './stop-signal.js';
import type { AnyTaskDefinition, ClosePoolOptions, RunTaskOptions, TaskDefinition, TaskReceiver } from './task.js';
import type { TaskBackend } from './task-backend.js';

export type { BackendJob, ChannelHandlers, TaskBackend } from './task-backend.js';

export interface DispatcherOptions {
  readonly name: string;
  readonly capacity: number;
  readonly maxQueue: number;
  readonly clock: Clock;
  readonly defaultTimeoutMs: number;
}

/** Default bound on queueing plus running of one task. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Default bound on a pool's queue. */
export const DEFAULT_MAX_QUEUE = 10_000;
/** Default time running tasks get to finish when a pool closes. */
export const DEFAULT_CLOSE_DEADLINE_MS = 10_000;

const ONCE = { once: true } as const;

/**
 * `steward:pool.task`: one message per run accepted while the channel had
 * subscribers, when it settles: `{ pool, task, ok, code, durationMs }`
 * (`code` of the error when `ok` is false; time from acceptance, queueing included).
 */
export const POOL_TASK_CHANNEL = 'steward:pool.task';
const taskChannel = channel(POOL_TASK_CHANNEL);

function publishSettled(job: Job, error: Error | undefined): void {
  const code = error === undefined ? undefined : String((error as { code?: unknown }).code ?? error.name);
  taskChannel.publish({ pool: job.pool, task: job.task.name, ok: error === undefined, code, durationMs: performance.now() - job.acceptedAt });
}

export class TaskDispatcher {
  readonly #options: DispatcherOptions;
  readonly #backend: TaskBackend;
  readonly #queue = new JobQueue<Job>();
  readonly #running = new Set<Job>();
  /** Handed to the backend ahead of a free slot (at most `prefetch`), oldest first; still queued as far as callers can tell. */
  readonly #ahead: Job[] = [];
  readonly #deadlines: Deadlines;
  #nextId = 0;
  #closing: Promise<void> | undefined;
  #onIdle: (() => void) | undefined;

  constructor(options: DispatcherOptions, backend: TaskBackend) {
    this.#options = options;
    this.#backend = backend;
    this.#deadlines = new Deadlines(options.clock);
  }

  get queued(): number {
    return this.#queue.size + this.#ahead.length;
  }

  get running(): number {
    return this.#running.size;
  }

  get capacity(): number {
    return this.#options.capacity;
  }

  run<TInput, TResult, TProgress>(
    task: TaskDefinition<TInput, TResult, TProgress>,
    input: TInput,
    options: RunTaskOptions<TProgress> = {},
  ): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => this.start(task, input, options, { resolve, reject }));
  }

  /** {@link run} reporting to `receiver`; see `TaskPool.start`. */
  start<TInput, TResult, TProgress>(
    task: TaskDefinition<TInput, TResult, TProgress>,
    input: TInput,
    options: RunTaskOptions<TProgress>,
    receiver: TaskReceiver<TResult>,
  ): void {
    const id = ++this.#nextId;
    const pool = this.#options.name;
    if (this.#closing) return receiver.reject(new PoolClosedError(`${labelOf(task, id, pool)} refused: the pool is closing or closed`));
    const parsed = task.input.safeParse(input);
    if (!parsed.success) {
      const issues = toIssues(parsed.error.issues);
      const message = `${labelOf(task, id, pool)} refused: invalid input (${summarizeIssues(issues)})`;
      return receiver.reject(new InvalidTaskInputError(message, issues, { cause: parsed.error }));
    }
    const { signal } = options;
    if (signal?.aborted) return receiver.reject(new TaskAbortedError(`${labelOf(task, id, pool)} aborted before it was queued`, { cause: signal.reason }));
    const startNow = this.#running.size + this.#backend.blocked < this.#options.capacity;
    if (!startNow && this.queued >= this.#options.maxQueue) {
      return receiver.reject(new PoolFullError(`${labelOf(task, id, pool)} refused: the queue holds ${this.queued} tasks (maxQueue)`));
    }
    const job = new Job(id, pool, task, parsed.data, options as RunTaskOptions<unknown>, receiver as TaskReceiver<unknown>, this.#aborted);
    if (taskChannel.hasSubscribers) job.acceptedAt = performance.now();
    const timeoutMs = options.timeoutMs ?? this.#options.defaultTimeoutMs;
    if (Number.isFinite(timeoutMs)) {
      job.timeoutMs = timeoutMs;
      job.deadline = this.#deadlines.add(timeoutMs, this.#timedOut, job);
    }
    signal?.addEventListener('abort', job, ONCE);
    if (startNow) this.#hand(job, true);
    else {
      this.#queue.push(job);
      if (this.#ahead.length < this.#backend.prefetch) this.#pump();
    }
  }

  /** One function for every deadline, so a run allocates no timeout closure. */
  readonly #timedOut = (job: Job): void => {
    const where = job.running ? 'running' : 'queued';
    this.#cancel(job, new TaskTimeoutError(`${job.label} timed out after ${job.timeoutMs} ms (${where})`));
  };

  readonly #aborted = (job: Job): void => {
    const where = job.running ? 'while running' : 'while queued';
    this.#cancel(job, new TaskAbortedError(`${job.label} aborted ${where}`, { cause: job.options.signal?.reason }));
  };

  /** See `DispatchedPool.check`. */
  async check(task: AnyTaskDefinition): Promise<void> {
    const where = `task "${task.name}" on pool "${this.#options.name}"`;
    if (this.#closing) throw new PoolClosedError(`${where} not checked: the pool is closing or closed`);
    const failure = await this.#backend.check(task);
    if (failure) throw new TaskModuleError(`${where} refused: ${failure.description}`, { module: task.moduleHref, export: failure.export, cause: failure.error });
  }

  close(options: ClosePoolOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options.deadlineMs ?? DEFAULT_CLOSE_DEADLINE_MS);
    return this.#closing;
  }

  async #close(deadlineMs: number): Promise<void> {
    for (const job of [...this.#ahead, ...this.#queue.takeAll()]) {
      this.#cancel(job, new PoolClosedError(`${job.label} cancelled: the pool closed before it started`));
    }
    if (this.#running.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = this.#options.clock.setTimer(deadlineMs, () => {
          for (const job of this.#running) {
            this.#cancel(job, new PoolClosedError(`${job.label} stopped: still running at the pool's ${deadlineMs} ms close deadline`));
          }
          resolve();
        });
        this.#onIdle = () => {
          this.#options.clock.clearTimer(timer);
          resolve();
        };
      });
    }
    await this.#backend.destroy();
  }

  /** Hands `job` to the backend: to run now, or to wait ahead of the next free slot. */
  #hand(job: Job, run: boolean): void {
    const stop = new StopSignal();
    job.stop = stop;
    if (job.task.channel) job.channel = channelHandlers(job);
    if (run) this.#markRunning(job);
    else this.#ahead.push(job);
    // One then() with both handlers: each promise layer here costs measurably at 30k tasks/s.
    // The freed slot is refilled before this run is settled: the thread waits only for the next
    // task to be posted, not for the result to be validated and the owner's reaction to be queued.
    this.#backend.execute(job, stop).then(
      (outcome) => {
        this.#release(job);
        this.#finish(job, outcome);
      },
      (error: unknown) => {
        this.#release(job);
        if (!job.settled) this.#settle(job, this.#backend.failure(job, error));
      },
    );
  }

  #markRunning(job: Job): void {
    job.running = true;
    this.#running.add(job);
  }

  #release(job: Job): void {
    if (!this.#running.delete(job)) this.#leaveAhead(job);
    this.#pump();
  }

  #leaveAhead(job: Job): boolean {
    const index = this.#ahead.indexOf(job);
    if (index >= 0) this.#ahead.splice(index, 1);
    return index >= 0;
  }

  #pump(): void {
    if (this.#closing) {
      if (this.#running.size === 0) this.#onIdle?.();
      return;
    }
    while (this.#running.size + this.#backend.blocked < this.#options.capacity) {
      // The backend starts the job it holds ahead in the slot that just freed.
      const ahead = this.#ahead.shift();
      if (ahead) this.#markRunning(ahead);
      else {
        const job = this.#queue.shift();
        if (!job) return;
        this.#hand(job, true);
      }
    }
    while (this.#ahead.length < this.#backend.prefetch) {
      const job = this.#queue.shift();
      if (!job) return;
      this.#hand(job, false);
    }
  }

  #finish(job: Job, outcome: TaskOutcome): void {
    if (job.settled) return;
    if (!outcome.ok || job.progressIssues) return this.#settle(job, failureOf(job, outcome));
    const parsed = job.task.result.safeParse(outcome.value);
    if (parsed.success) this.#settle(job, undefined, parsed.data);
    else this.#settle(job, invalidResult(job, parsed.error));
  }

  /** Settles the run, then stops the task wherever it is. */
  #cancel(job: Job, error: Error): void {
    if (job.settled) return;
    this.#settle(job, error);
    if (job.running) job.stop?.abort(error);
    else if (this.#leaveAhead(job)) job.stop?.abort(error);
    else if (this.#queue.delete(job) && this.#closing === undefined) this.#pump();
  }

  #settle(job: Job, error: Error | undefined, value?: unknown): void {
    if (job.settled) return;
    job.settled = true;
    if (job.deadline !== undefined) this.#deadlines.remove(job.deadline);
    job.options.signal?.removeEventListener('abort', job);
    if (error) job.receiver.reject(error);
    else job.receiver.resolve(value);
    if (!Number.isNaN(job.acceptedAt) && taskChannel.hasSubscribers) publishSettled(job, error);
  }
}
