import type { RunTaskOptions, TaskDescriptor as TaskDefinition, TaskPoolPort as TaskPool, TaskReceiver } from './ports/index.js';
import type { Outcome, StartTaskOptions, TaskHandle } from './actor-context.js';
import type { RuntimeEventBus } from './events.js';
import { abortReason, StartedTask } from './started-task.js';

/** What the tasks of one actor report to: the actor itself. @internal */
export interface TaskOwner<TMessage> {
  readonly type: string;
  readonly key: string;
  readonly events: RuntimeEventBus;
  /** Sends the message `build(arg)` to the owning actor. */
  tell<T>(build: (arg: T) => TMessage, arg: T): void;
}

/**
 * The tasks one actor started with `ctx.startTask`: their progress,
 * heartbeats and outcomes come back as messages, a failure is also a
 * `task.failed` event, and all of them are cancelled when the actor stops for
 * good. Made by the actor's first `startTask`.
 * @internal
 */
export class CellTasks<TMessage> {
  readonly #running = new Set<StartedTask<TMessage>>();

  constructor(private readonly owner: TaskOwner<TMessage>) {}

  /** Tasks started and not settled yet: the actor is waiting for their messages, so it is not idle. */
  get size(): number {
    return this.#running.size;
  }

  /** Starts `task` on `pool` (registered as `poolName`); outcomes and reports come back through the owner. */
  start<TInput, TResult, TProgress>(
    poolName: string,
    pool: TaskPool,
    task: TaskDefinition<TInput, TResult, TProgress>,
    input: TInput,
    options: StartTaskOptions<TResult, TProgress, TMessage>,
  ): TaskHandle {
    const started = new StartedTask<TMessage>(this.#settled, options.toMessage as (outcome: Outcome<unknown>) => TMessage, options.signal, poolName, task.name, task.moduleHref);
    this.#running.add(started);
    const { stop } = started;
    const { onProgress, onHeartbeat, signal } = options;
    if (signal?.aborted) stop.abort(signal.reason);
    else if (signal) {
      started.onSignal = () => stop.abort(signal.reason);
      signal.addEventListener('abort', started.onSignal, { once: true });
    }
    const runOptions: { -readonly [K in keyof RunTaskOptions<TProgress>]: RunTaskOptions<TProgress>[K] } = { signal: stop };
    if (options.timeoutMs !== undefined) runOptions.timeoutMs = options.timeoutMs;
    if (onProgress) runOptions.onProgress = (report) => this.owner.tell(onProgress, report);
    if (onHeartbeat) runOptions.onHeartbeat = () => this.owner.tell(onHeartbeat, undefined);
    if (pool.start) pool.start(task, input, runOptions, started as TaskReceiver<TResult>);
    else {
      pool.run(task, input, runOptions).then(
        (value) => this.#settled(started, { ok: true, value }),
        (error: unknown) => this.#settled(started, { ok: false, error }),
      );
    }
    return { cancel: (reason) => stop.abort(reason === undefined ? abortReason() : reason) };
  }

  /** Cancels every task still running (the actor stopped for good). */
  cancelAll(reason: Error): void {
    for (const started of this.#running) started.stop.abort(reason);
  }

  readonly #settled = (started: StartedTask<TMessage>, outcome: Outcome<unknown>): void => {
    this.#running.delete(started);
    if (started.onSignal) started.signal?.removeEventListener('abort', started.onSignal);
    if (!outcome.ok && !started.stop.aborted) {
      const error = outcome.error as FailureFields | null;
      const code = typeof error?.code === 'string' ? error.code : 'ERR_UNKNOWN';
      this.owner.events.emit('task.failed', {
        type: this.owner.type,
        key: this.owner.key,
        pool: started.pool,
        task: started.task,
        code,
        message: failureMessage(error, code),
        module: started.module,
        export: typeof error?.export === 'string' ? error.export : started.task,
      });
    }
    this.owner.tell(started.toMessage, outcome);
  };
}

/** What a failed run's error may say about itself. */
interface FailureFields {
  readonly code?: unknown;
  readonly name?: unknown;
  readonly message?: unknown;
  readonly publicMessage?: unknown;
  readonly export?: unknown;
}

/**
 * A failure's message fit for an event: a pool error's `publicMessage` where
 * its message holds the task's own text, else a pool error's message (built
 * from ids and schemas); a thread crash's cause and errors from elsewhere by
 * name and code only.
 */
function failureMessage(error: FailureFields | null, code: string): string {
  if (typeof error?.publicMessage === 'string') return error.publicMessage;
  if (code !== 'ERR_UNKNOWN' && code !== 'ERR_TASK_CRASHED' && typeof error?.message === 'string') return error.message;
  return `${typeof error?.name === 'string' ? error.name : 'a non-error value'} (${code})`;
}
