import type { ActorRef, RefOptions } from './actor-ref.js';
import type { Clock } from './clock.js';
import type { ActorDefinition, Handlers, MessageOf, MessageSchemas } from './define-actor.js';
import type { Random } from './random.js';
import type { TaskDefinition } from '../pools/index.js';
import type { CommitResult, Store, WriteOp } from '../persistence/index.js';

/**
 * How a piped promise ended.
 *
 * @example
 * ```ts
 * ctx.pipe(submitter.query(jobId), (outcome) =>
 *   outcome.ok ? { type: 'answered', payload: { jobId, status: outcome.value } } : { type: 'unanswered', payload: { jobId } });
 * ```
 */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** The definition type an actor's own context refers to. */
export type SelfDefinition<TState, TMessages extends MessageSchemas> = ActorDefinition<
  TState,
  TMessages,
  Handlers<TState, TMessages>
>;

/**
 * Options of {@link ActorContext.startTimer}.
 *
 * @example
 * ```ts
 * if (!ctx.hasTimer('poll')) ctx.startTimer('poll', 5_000, { type: 'poll', payload: {} }, { repeat: true });
 * ```
 */
export interface TimerOptions {
  /** Deliver again every `delayMs` until cancelled. A tick is skipped while the previous one is still queued, so ticks never stack. */
  readonly repeat?: boolean;
}

/**
 * The system's persistence actor as actors see it: reads, and atomic durable
 * commits (the only way anything is written). It has the shape of a
 * {@link Store}: the persistence actor is one, in front of the real one.
 *
 * @example
 * ```ts
 * const jobs = await ctx.persistence.query<Job>('jobs', { prefix: `${ctx.key}/`, limit: 100 });
 * ```
 */
export type PersistencePort = Store;

/**
 * How a task started with {@link ActorContext.startTask} reports back, as messages to the actor.
 *
 * @example
 * ```ts
 * ctx.startTask('validate', validateFile, { path }, {
 *   toMessage: (outcome) => ({ type: 'validated', payload: { ok: outcome.ok } }),
 *   onProgress: (pct) => ({ type: 'progress', payload: { pct } }),
 *   timeoutMs: 30_000,
 * });
 * ```
 */
export interface StartTaskOptions<TResult, TProgress, TMessage> {
  /** The outcome (result, or an error with its `ERR_TASK_*` code) as a message. */
  readonly toMessage: (outcome: Outcome<TResult>) => TMessage;
  /** Each progress report as a message, in order. */
  readonly onProgress?: (report: TProgress) => TMessage;
  /** Each heartbeat as a message. */
  readonly onHeartbeat?: () => TMessage;
  /** Bound on queueing plus running; defaults to the pool's. */
  readonly timeoutMs?: number;
  /** Cancels the task as well as `handle.cancel()` does. */
  readonly signal?: AbortSignal;
}

/**
 * A started task.
 *
 * @example
 * ```ts
 * const download = ctx.startTask('download', downloadTask, { url }, { toMessage: (outcome) => ({ type: 'downloaded', payload: { ok: outcome.ok } }) });
 * if (ctx.state.cancelRequested) download.cancel(); // its outcome still arrives, as ERR_TASK_ABORTED
 * ```
 */
export interface TaskHandle {
  /** Cancels the task; its outcome still arrives, as `ERR_TASK_ABORTED`. */
  cancel(reason?: unknown): void;
}

/**
 * What a handler sees besides its payload: the actor's state and key, and the
 * only sanctioned ways to reach time, randomness, other actors and async work.
 * Valid only inside the actor's own handlers and hooks.
 *
 * @example
 * ```ts
 * handlers: {
 *   start: async (payload, ctx) => {
 *     ctx.state.status = 'running';
 *     await ctx.save();
 *     ctx.startTimer('poll', 1_000, { type: 'poll', payload: {} }, { repeat: true });
 *   },
 * }
 * ```
 */
export interface ActorContext<TState, TMessages extends MessageSchemas> {
  /** The actor's key within its type. */
  readonly key: string;
  /** The actor's state; mutate it or assign a new object. */
  state: TState;
  /** A ref to this actor. */
  readonly self: ActorRef<SelfDefinition<TState, TMessages>>;
  readonly clock: Clock;
  readonly random: Random;
  /** The system's persistence actor; throws `ERR_INVALID_CONFIG` if the system has none. */
  readonly persistence: PersistencePort;
  /** True once system shutdown began or this actor is stopping: finish what is under way, start no new work. */
  readonly stopping: boolean;
  /**
   * Writes this actor's state (definition `persistence.collection`, key = the
   * actor's key) together with `alsoWrite`, in one atomic, durable commit,
   * conditional on the revision this actor last loaded or saved. Await it
   * before replying so acknowledgements follow durability. Rejects with
   * `ERR_REVISION_CONFLICT` if someone else wrote the record, or
   * `ERR_PERSIST_FAILED`; a handler that lets that escape is restarted by its
   * supervisor and reloads the last durable state.
   */
  save(alsoWrite?: readonly WriteOp[]): Promise<CommitResult>;
  /** A ref to another actor of the same system. */
  ref<TDef extends ActorDefinition>(definition: TDef, key: string, options?: RefOptions): ActorRef<TDef>;
  /**
   * Pipe-to-self: when `promise` settles, `toMessage(outcome)` is sent to this
   * actor as a message. The handler returns at once, so the mailbox keeps
   * flowing while the work runs.
   */
  pipe<T>(promise: PromiseLike<T>, toMessage: (outcome: Outcome<T>) => MessageOf<SelfDefinition<TState, TMessages>>): void;
  /**
   * Starts a task on the system's pool named `pool`. The handler returns at
   * once; the outcome (and progress) come back later as messages. Tasks still
   * running when the actor stops for good are cancelled.
   */
  startTask<TInput, TResult, TProgress>(
    pool: string,
    task: TaskDefinition<TInput, TResult, TProgress>,
    input: TInput,
    options: StartTaskOptions<TResult, TProgress, MessageOf<SelfDefinition<TState, TMessages>>>,
  ): TaskHandle;
  /** Sends `message` to this actor after `delayMs` (keyed by `name`; a new timer replaces one of the same name). */
  startTimer(name: string, delayMs: number, message: MessageOf<SelfDefinition<TState, TMessages>>, options?: TimerOptions): void;
  cancelTimer(name: string): void;
  /** Whether a timer of this name is pending (so a repeating timer can be started once, not reset). */
  hasTimer(name: string): boolean;
  /** Get an `onTerminated` notice when `ref`'s actor stops for good. */
  watch(ref: ActorRef<ActorDefinition>): void;
  unwatch(ref: ActorRef<ActorDefinition>): void;
  /** Stops this actor for good once the current message is handled; queued messages become dead letters. */
  stop(): void;
}
