import type { ActorRef, RefOptions } from './actor-ref.js';
import type { Clock } from './clock.js';
import type { ActorDefinition, Handlers, MessageOf, MessageSchemas } from './define-actor.js';
import type { Random } from './random.js';
import type { CommitResult, StatePort, StateReader, TaskDescriptor as TaskDefinition, WriteOp } from './ports/index.js';
import type { TaskRunError } from '../pools/errors.js';
import type { ReminderMessage } from './reminders/actor-reminders.js';
import type { ReminderInfo, ReminderSchedule } from './reminders/reminder-record.js';
import type { OwnedRecords } from './records/owned-records.js';

/**
 * How a piped promise ended.
 *
 * @example
 * ```ts
 * declare const submitter: Submitter;
 * ctx.pipe(submitter.query(jobId), (outcome) =>
 *   outcome.ok ? { type: 'answered', payload: { jobId, status: outcome.value } } : { type: 'unanswered', payload: { jobId } });
 * ```
 */
export type Outcome<T, TError = unknown> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: TError };

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
 * The state port as an actor sees it (`ctx.persistence`): reads, and commits
 * that cannot overwrite an actor's state record by accident.
 *
 * @example
 * ```ts
 * declare const collectionId: string;
 * const record = await ctx.persistence.get<Collection>(COLLECTIONS, collectionId);
 * ```
 */
export interface ActorStatePort extends StateReader {
  commit(batch: readonly WriteOp[]): Promise<CommitResult>;
}

/**
 * The state port a system is given (`persistence` option): reads and atomic
 * durable commits. `steward/persistence`'s `Persistence` implements it.
 * Actors see only its reads (`ctx.persistence`); they write through
 * `ctx.save()`.
 *
 * @example
 * ```ts
 * const system = new ActorSystem({ persistence: new Persistence(store) satisfies PersistencePort });
 * ```
 */
export type PersistencePort = StatePort;

/**
 * How a task started with {@link ActorContext.startTask} reports back, as messages to the actor.
 *
 * @example
 * ```ts
 * const validateFile = defineTask({
 *   name: 'validateFile', module: new URL('./tasks/validate.js', import.meta.url),
 *   input: z.object({ path: z.string() }), result: z.object({ ok: z.boolean() }), progress: z.number(),
 * });
 * ctx.startTask('validate', validateFile, { path }, {
 *   toMessage: (outcome) => ({ type: 'validated', payload: { ok: outcome.ok } }),
 *   onProgress: (pct) => ({ type: 'progress', payload: { pct } }),
 *   timeoutMs: 30_000,
 * });
 * ```
 */
export interface StartTaskOptions<TResult, TProgress, TMessage> {
  /** The outcome (result, or an error with its `ERR_TASK_*` code) as a message. */
  readonly toMessage: (outcome: Outcome<TResult, TaskRunError>) => TMessage;
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
 * const Poller = defineActor({
 *   name: 'poller',
 *   messages: { start: z.object({}), poll: z.object({}) },
 *   initialState: (_key: string) => ({ status: 'idle' as 'idle' | 'running' }),
 *   handlers: {
 *     start: async (_payload, ctx) => {
 *       ctx.state.status = 'running';
 *       await ctx.save();
 *       ctx.startTimer('poll', 1_000, { type: 'poll', payload: {} }, { repeat: true });
 *     },
 *     poll: () => undefined,
 *   },
 * });
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
  /**
   * The system's state port as this actor sees it; throws
   * `ERR_INVALID_CONFIG` if the system has none. Reads are open (any
   * collection, any key). A commit is refused with `ERR_STATE_WRITE_REFUSED`
   * (nothing written) if it would overwrite a record of an actor type's state
   * collection without `expectedRevision`: an actor's own record is written
   * by {@link save}.
   *
   * @example
   * ```ts
   * const jobs = await ctx.persistence.query<Job>('jobs', { prefix: `${ctx.key}/`, limit: 100 });
   * ```
   */
  readonly persistence: ActorStatePort;
  /**
   * Writes this actor's state (definition `persistence.collection`, key = the
   * actor's key) together with `alsoWrite`, in one atomic, durable commit,
   * conditional on the revision this actor last loaded or saved. Await it
   * before replying so acknowledgements follow durability. Rejects with
   * `ERR_REVISION_CONFLICT` if someone else wrote the record, or
   * `ERR_PERSIST_FAILED`; a handler that lets that escape is restarted by its
   * supervisor and reloads the last durable state.
   *
   * `alsoWrite` may not name this actor's own record, nor overwrite another
   * record of an actor type's state collection without `expectedRevision`:
   * both reject with `ERR_STATE_WRITE_REFUSED` and write nothing. A save that
   * resolves after a restart reloaded the state does not move the reloaded
   * incarnation's revision (its next save then conflicts, as it should).
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
  /**
   * Sets (or replaces) the durable reminder `name`: `message` is delivered
   * to this actor on `schedule` even if it was passivated or the process
   * restarted, with `payload.firing = { id, name, scheduledAt }` added (at
   * least once per firing; the id is stable across redeliveries). Written
   * with the turn's `save()`, or on its own at the end of a turn that does not save.
   */
  remind(name: string, schedule: ReminderSchedule, message: ReminderMessage<TMessages>): void;
  /** Removes the reminder `name` (with the turn's writes, like `remind`). */
  cancelReminder(name: string): void;
  /** This actor's reminders, the turn's own changes included, by due time. */
  reminders(): Promise<ReminderInfo[]>;
  /** Child records in `collection` (listed in `persistence.owns`), written with the turn's state; see {@link OwnedRecords}. */
  records<T = unknown>(collection: string): OwnedRecords<T>;
  /** Get an `onTerminated` notice when `ref`'s actor stops for good. */
  watch(ref: ActorRef<ActorDefinition>): void;
  unwatch(ref: ActorRef<ActorDefinition>): void;
  /**
   * True once system shutdown has begun or this actor is being stopped
   * (`ctx.stop()`, `system.stop(ref)`, its supervisor): a handler doing long
   * work in steps can check it and wind down promptly.
   */
  readonly stopping: boolean;
  /** Stops this actor for good once the current message is handled; queued messages become dead letters. */
  stop(): void;
}
