import { revisionOf } from '../persistence/index.js';
import { HandlerFailedError, InvalidConfigError, InvalidMessageError, MailboxFullError, RefusalError, StewardError, SystemStoppedError } from '../errors.js';
import { Mailbox, type MailboxDriver } from '../mailbox/index.js';
import type { TaskDefinition, TaskPool } from '../pools/index.js';
import type { CommitResult, WriteOp } from '../persistence/index.js';
import type { ActorContext, Outcome, PersistencePort, SelfDefinition, StartTaskOptions, TaskHandle, TimerOptions } from './actor-context.js';
import type { ActorRef, RefOptions } from './actor-ref.js';
import type { Clock } from './clock.js';
import { ActorTimers } from './actor-timers.js';
import { CellTasks } from './cell-tasks.js';
import type { ActorDefinition, MessageOf, MessageSchemas, StopReason } from './define-actor.js';
import type { Envelope, UserEnvelope } from './envelope.js';
import type { DeadLetterReason, RuntimeEventBus } from './events.js';
import type { Random } from './random.js';
import type { TurnScheduler } from './scheduler.js';
import { Supervisor } from './supervision.js';

/** What a cell needs from its system. @internal */
export interface CellHost {
  readonly clock: Clock;
  readonly random: Random;
  readonly scheduler: TurnScheduler;
  readonly events: RuntimeEventBus;
  readonly messagesPerTurn: number;
  ref<TDef extends ActorDefinition>(definition: TDef, key: string, options?: RefOptions): ActorRef<TDef>;
  /** The pool registered under `name`; throws `ERR_INVALID_CONFIG` if there is none. */
  pool(name: string): TaskPool;
  /** The persistence actor; throws `ERR_INVALID_CONFIG` if the system has none. */
  persistence(): PersistencePort;
  /** True once system shutdown began (minimal stand-in for core's `ctx.stopping`). */
  shuttingDown(): boolean;
  deadLetter(cell: ActorCell, envelope: UserEnvelope, reason: DeadLetterReason): void;
  /** Takes the cell out of service (tombstoned unless passivated) and terminates it. */
  retire(cell: ActorCell, reason: StopReason): Promise<void>;
  cellStopped(cell: ActorCell, reason: StopReason): void;
  watch(watcher: ActorRef<ActorDefinition>, target: ActorRef<ActorDefinition>): void;
  unwatch(watcher: ActorRef<ActorDefinition>, target: ActorRef<ActorDefinition>): void;
}

type SelfMessage = MessageOf<SelfDefinition<unknown, MessageSchemas>>;

type Status = 'activating' | 'running' | 'restarting' | 'stopping' | 'stopped';


/**
 * One live actor: its mailbox, its state, and the turn loop that hands each
 * message to its handler and reacts to failures as its supervisor decides.
 * The cell is also the handlers' `ctx`, which keeps an idle actor small.
 * @internal
 */
export class ActorCell implements ActorContext<unknown, MessageSchemas>, MailboxDriver<Envelope> {
  state: unknown = undefined;
  /** Messages handled so far; passivation compares it between idle checks. */
  turns = 0;
  readonly mailbox: Mailbox<Envelope>;
  /** Settles when the cell has fully stopped (hooks run); a successor waits for it. */
  stopped: Promise<void> | undefined;
  #status: Status = 'activating';
  #supervisor: Supervisor | undefined;
  #timers: ActorTimers | undefined;
  #current: UserEnvelope | undefined;
  /** Piped promises not yet settled: the actor is waiting for their messages, so it is not idle. */
  #inFlight = 0;
  /** Tasks started and not settled yet, and where they report; made by the first startTask. */
  #tasks: CellTasks<SelfMessage> | undefined;
  /** The ref outcomes and progress are told through, kept once made: it caches this cell for the tell fast path. */
  #selfRef: ActorRef<ActorDefinition> | undefined;
  /** Revision of this actor's state record as last loaded or saved (0: none yet). */
  #revision = 0;

  constructor(
    readonly host: CellHost,
    readonly definition: ActorDefinition,
    readonly key: string,
  ) {
    this.mailbox = new Mailbox<Envelope>(this, definition.mailbox, host.messagesPerTurn);
  }

  /** A ref to this actor; made on demand so an idle actor does not carry one. */
  get self(): ActorRef<SelfDefinition<unknown, MessageSchemas>> {
    return this.host.ref(this.definition, this.key) as ActorRef<SelfDefinition<unknown, MessageSchemas>>;
  }

  /** @internal MailboxDriver: turns go through the system's scheduler. */
  schedule(drain: () => void): void {
    this.host.scheduler.schedule(this.id, drain);
  }

  get id(): string {
    return `${this.definition.name}/${this.key}`;
  }

  get clock(): Clock {
    return this.host.clock;
  }

  get random(): Random {
    return this.host.random;
  }

  get stopping(): boolean {
    return this.#status === 'stopping' || this.#status === 'stopped' || this.host.shuttingDown();
  }

  get persistence(): PersistencePort {
    return this.host.persistence();
  }

  async save(alsoWrite: readonly WriteOp[] = []): Promise<CommitResult> {
    const options = this.definition.persistence;
    if (!options) throw new InvalidConfigError(`actor type '${this.definition.name}' has no persistence.collection to save to`);
    const result = await this.host.persistence().commit([
      { op: 'put', collection: options.collection, key: this.key, value: this.state, expectedRevision: this.#revision },
      ...alsoWrite,
    ]);
    this.#revision = revisionOf(result, options.collection, this.key) ?? this.#revision;
    return result;
  }

  get status(): Status {
    return this.#status;
  }

  /** True while the cell takes messages (activating and restarting cells queue them). */
  get alive(): boolean {
    return this.#status !== 'stopping' && this.#status !== 'stopped';
  }

  /** Nothing queued and no turn in hand (work piped elsewhere may still be in flight). */
  get quiescent(): boolean {
    return this.#status === 'running' && !this.mailbox.busy && this.mailbox.depth === 0;
  }

  /** Idle: running, nothing queued or in hand, no timer pending. */
  get idle(): boolean {
    return (
      this.#status === 'running' && !this.mailbox.busy && this.mailbox.depth === 0 && this.#inFlight === 0 && !this.#tasks?.size && !this.#timers?.size
    );
  }

  /** Loads the state and runs `onStart`, holding messages until both are done. */
  activate(predecessor: Promise<void> | undefined): void {
    this.mailbox.suspend();
    const started = (predecessor ?? Promise.resolve()).then(() => this.#loadAndStart());
    started.then(
      () => {
        if (this.#status !== 'activating') return;
        this.#status = 'running';
        this.host.events.emit('actor.started', { type: this.definition.name, key: this.key });
        this.mailbox.resume();
      },
      (error: unknown) => this.#fail(error, undefined),
    );
  }

  ref<TDef extends ActorDefinition>(definition: TDef, key: string, options?: RefOptions): ActorRef<TDef> {
    return this.host.ref(definition, key, options);
  }

  pipe<T>(promise: PromiseLike<T>, toMessage: (outcome: Outcome<T>) => SelfMessage): void {
    this.#inFlight++;
    const deliver = (outcome: Outcome<T>) => {
      this.#inFlight--;
      this.#tellSelf(toMessage, outcome);
    };
    promise.then(
      (value) => deliver({ ok: true, value }),
      (error: unknown) => deliver({ ok: false, error }),
    );
  }

  startTask<TInput, TResult, TProgress>(
    pool: string,
    task: TaskDefinition<TInput, TResult, TProgress>,
    input: TInput,
    options: StartTaskOptions<TResult, TProgress, SelfMessage>,
  ): TaskHandle {
    const target = this.host.pool(pool);
    this.#tasks ??= new CellTasks<SelfMessage>({
      type: this.definition.name,
      key: this.key,
      events: this.host.events,
      tell: (build, arg) => this.#tellSelf(build, arg),
    });
    return this.#tasks.start(pool, target, task, input, options);
  }

  /** Sends the message `build(arg)` to this actor; refusals are already dead letters, anything else is a bug worth an event. */
  #tellSelf<T>(build: (arg: T) => SelfMessage, arg: T): void {
    try {
      const message = build(arg);
      (this.#selfRef ??= this.host.ref(this.definition, this.key)).tell(message.type, message.payload);
    } catch (error) {
      if (!(error instanceof StewardError) || error instanceof InvalidMessageError) this.#emitCrash(error);
    }
  }

  startTimer(name: string, delayMs: number, message: SelfMessage, options: TimerOptions = {}): void {
    (this.#timers ??= new ActorTimers(this.clock)).start(name, delayMs, options.repeat ?? false, (tick) => {
      try {
        this.post({ kind: 'user', type: message.type, payload: message.payload, reply: undefined, timer: tick });
      } catch {
        tick.pending = false; // refused by a full mailbox (an overflow event says so); the next tick tries again
      }
    });
  }

  hasTimer(name: string): boolean {
    return this.#timers?.has(name) ?? false;
  }

  cancelTimer(name: string): void {
    this.#timers?.cancel(name);
  }

  watch(ref: ActorRef<ActorDefinition>): void {
    this.host.watch(this.self as ActorRef<ActorDefinition>, ref);
  }

  unwatch(ref: ActorRef<ActorDefinition>): void {
    this.host.unwatch(this.self as ActorRef<ActorDefinition>, ref);
  }

  /**
   * Fails the actor between two turns, as if a turn had thrown `error` (the
   * simulator's actor-crash fault). A turn in progress cannot crash from the
   * outside: in a real process only the turn itself throws, or the whole
   * process dies. Returns false when there is a turn in progress.
   * @internal
   */
  crash(error: unknown): boolean {
    if (this.#status !== 'running' || this.mailbox.busy) return false;
    this.#fail(error, undefined);
    return true;
  }

  stop(): void {
    if (this.alive) this.mailbox.postSystem({ kind: 'stop' });
  }

  /** Queues a user message through the mailbox's overflow policy; throws `ERR_MAILBOX_FULL` if the policy refuses it. */
  post(envelope: UserEnvelope): void {
    const result = this.mailbox.post(envelope);
    if (result.dropped) {
      const dropped = result.dropped as UserEnvelope;
      this.host.events.emit('mailbox.overflow', {
        type: this.definition.name,
        key: this.key,
        messageType: dropped.type,
        policy: this.definition.mailbox?.overflow ?? 'reject',
        depth: this.mailbox.depth,
      });
      if (result.accepted || this.definition.mailbox?.overflow === 'drop-newest') this.host.deadLetter(this, dropped, 'overflow');
    }
    if (!result.accepted && this.definition.mailbox?.overflow !== 'drop-newest') {
      throw new MailboxFullError(`mailbox of ${this.id} is full (${this.mailbox.depth} messages): '${envelope.type}' refused`);
    }
  }

  /**
   * Stops the cell: timers cancelled, queued messages dead-lettered, `onStop`
   * run, then the host told. Safe to call more than once.
   */
  terminate(reason: StopReason): Promise<void> {
    if (this.stopped) return this.stopped;
    this.#status = 'stopping';
    this.#cancelAllTimers();
    if (reason !== 'passivated') this.#tasks?.cancelAll(new Error(`actor ${this.id} stopped (${reason})`));
    // A handler still running at a shutdown deadline will never reply in time.
    if (reason === 'shutdown') this.#current?.reply?.reject(new SystemStoppedError(`system shut down while actor ${this.id} was handling '${this.#current.type}'`));
    this.mailbox.suspend();
    const deadReason: DeadLetterReason = reason === 'passivated' ? 'stopped' : reason;
    const hook = this.definition.onStop;
    this.stopped = Promise.resolve()
      .then(() => hook?.(this, reason))
      .catch((error: unknown) => this.#emitCrash(error))
      .then(() => {
        this.#status = 'stopped';
        for (const envelope of this.mailbox.takeAll()) {
          if (envelope.kind === 'user') this.host.deadLetter(this, envelope, deadReason);
        }
        this.host.cellStopped(this, reason);
      });
    return this.stopped;
  }

  async #loadAndStart(): Promise<void> {
    const loaded = this.definition.load ? await this.definition.load(this.key, this) : await this.#loadPersisted();
    this.state = loaded === undefined ? this.definition.initialState(this.key) : loaded;
    if (this.definition.onStart) await this.definition.onStart(this);
  }

  async #loadPersisted(): Promise<unknown> {
    const options = this.definition.persistence;
    if (!options) return undefined;
    const record = await this.host.persistence().get(options.collection, this.key);
    this.#revision = record?.revision ?? 0;
    if (!record) return undefined;
    // Stored values are frozen and shared; the actor gets its own copy to change.
    const state = structuredClone(record.value);
    return options.schema ? options.schema.parse(state) : state;
  }

  /** @internal MailboxDriver: handles one message. */
  process(envelope: Envelope): void | Promise<void> {
    if (envelope.kind === 'stop') {
      void this.host.retire(this, 'stopped');
      return;
    }
    if (envelope.kind === 'terminated') {
      const onTerminated = this.definition.onTerminated as ((notice: unknown, ctx: this) => unknown) | undefined;
      return onTerminated ? this.#run(undefined, onTerminated, envelope.notice) : undefined;
    }
    if (envelope.timer) envelope.timer.pending = false;
    if (envelope.reply?.settled) return; // the caller gave up (timeout or abort) before its turn
    const handler = this.definition.handlers[envelope.type] as ((payload: unknown, ctx: this) => unknown) | undefined;
    if (!handler) {
      envelope.reply?.reject(
        new InvalidMessageError(`actor ${this.id} has no handler for '${envelope.type}'`, [
          { path: ['type'], message: `no handler for '${envelope.type}'`, code: 'unknown_message_type' },
        ]),
      );
      return;
    }
    return this.#run(envelope, handler, envelope.payload);
  }

  /** Runs one turn; a returned promise keeps the mailbox waiting until it settles. */
  #run(envelope: UserEnvelope | undefined, handler: (payload: unknown, ctx: this) => unknown, payload: unknown): void | Promise<void> {
    this.turns++;
    this.#current = envelope;
    let result: unknown;
    try {
      result = handler(payload, this);
    } catch (error) {
      this.#fail(error, envelope);
      this.#current = undefined;
      return;
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      return Promise.resolve(result as PromiseLike<unknown>).then(
        (value) => {
          this.#current = undefined;
          envelope?.reply?.resolve(value);
        },
        (error: unknown) => {
          this.#fail(error, envelope);
          this.#current = undefined;
        },
      );
    }
    // Dropping the envelope here keeps an idle actor from holding its last message, reply and deadline.
    this.#current = undefined;
    envelope?.reply?.resolve(result);
  }

  #emitCrash(error: unknown): void {
    this.host.events.emit('actor.crashed', { type: this.definition.name, key: this.key, messageType: this.#current?.type, error });
  }

  #fail(error: unknown, envelope: UserEnvelope | undefined): void {
    if (error instanceof RefusalError && envelope) {
      envelope.reply?.reject(error); // a refusal is an answer, not a crash
      return;
    }
    this.#emitCrash(error);
    const phase = envelope ? `handling '${envelope.type}'` : 'starting';
    envelope?.reply?.reject(new HandlerFailedError(`actor ${this.id} failed ${phase}: ${describe(error)}`, { cause: error }));
    if (!this.alive) return;
    const decision = (this.#supervisor ??= new Supervisor(this.definition.supervision)).decide(this.clock.monotonic(), this.random);
    if (decision.action === 'resume' && this.#status !== 'activating') return;
    if (decision.action !== 'restart') {
      void this.host.retire(this, 'failed');
      return;
    }
    this.#status = 'restarting';
    this.mailbox.suspend();
    this.#cancelAllTimers();
    const restart = () => {
      if (this.#status !== 'restarting') return;
      Promise.resolve()
        .then(() => this.definition.onRestart?.(this, error))
        .then(() => this.#loadAndStart())
        .then(
          () => {
            if (this.#status !== 'restarting') return;
            this.#status = 'running';
            this.host.events.emit('actor.restarted', {
              type: this.definition.name,
              key: this.key,
              attempt: decision.attempt,
              delayMs: decision.delayMs,
            });
            this.mailbox.resume();
          },
          (restartError: unknown) => this.#fail(restartError, undefined),
        );
    };
    this.clock.setTimer(decision.delayMs, restart);
  }

  #cancelAllTimers(): void {
    this.#timers?.cancelAll();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
