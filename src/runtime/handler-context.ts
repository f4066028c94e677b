import { InvalidMessageError, StateWriteRefusedError, StewardError } from '../errors.js';
import type { Mailbox } from '../mailbox/index.js';
import type { ActorContext, Outcome, SelfDefinition, StartTaskOptions, TaskHandle, TimerOptions } from './actor-context.js';
import type { ActorRef, RefOptions } from './actor-ref.js';
import { ActorTimers } from './actor-timers.js';
import type { CellHost } from './cell-host.js';
import { GuardedStatePort, saveState, type StatefulCell } from './cell-state.js';
import { CellTasks } from './cell-tasks.js';
import type { Clock } from './clock.js';
import type { ActorDefinition, MessageOf, MessageSchemas } from './define-actor.js';
import type { Envelope } from './envelope.js';
import type { CommitResult, Fence, TaskDescriptor, WriteOp } from './ports/index.js';
import type { Random } from './random.js';
import { ownedRecords, type OwnedRecords } from './records/owned-records.js';
import { listReminders, stageCancel, stageReminder } from './reminders/actor-reminders.js';
import type { ReminderInfo, ReminderSchedule } from './reminders/reminder-record.js';
import { TurnWrites } from './reminders/turn-writes.js';
import { parseMessage } from './validation.js';

/** A message an actor sends itself (a timer tick, a piped outcome, a task's report). @internal */
export type SelfMessage = MessageOf<SelfDefinition<unknown, MessageSchemas>>;

/**
 * What a handler sees as `ctx`: the actor's state, its key, and the sanctioned
 * ways to reach time, randomness, other actors, its own timers and async
 * work. The cell extends it, so an idle actor is one object, not two.
 * Everything an actor sends itself goes to its mailbox's self lane, which no
 * overflow policy touches: an outcome is never lost to a full mailbox.
 * @internal
 */
export abstract class HandlerContext implements ActorContext<unknown, MessageSchemas>, StatefulCell {
  state: unknown = undefined;
  revision = 0;
  incarnation = 0;
  /** The claim on this actor's entity, from the system's ownership port (none without one). */
  fence: Fence | undefined = undefined;
  /** Piped promises not yet settled: the actor is waiting for their messages, so it is not idle. */
  protected inFlight = 0;
  /** Set by the first stop request, before the stop itself runs. */
  protected stopRequested = false;
  protected timers: ActorTimers | undefined;
  /** Tasks started and not settled yet, and where they report; made by the first startTask. */
  protected tasks: CellTasks<SelfMessage> | undefined;
  /** The ref outcomes reach a successor through once this cell has stopped (after passivation). */
  #selfRef: ActorRef<ActorDefinition> | undefined;
  /** Reminder and child-record writes of the current turn, made by the first of them. */
  writes: TurnWrites | undefined;

  abstract readonly mailbox: Mailbox<Envelope>;
  abstract readonly alive: boolean;
  abstract readonly id: string;

  constructor(
    readonly host: CellHost,
    readonly definition: ActorDefinition,
    readonly key: string,
  ) {}

  /** A ref to this actor; made on demand so an idle actor does not carry one. */
  get self(): ActorRef<SelfDefinition<unknown, MessageSchemas>> {
    return this.host.ref(this.definition, this.key) as ActorRef<SelfDefinition<unknown, MessageSchemas>>;
  }

  get clock(): Clock {
    return this.host.clock;
  }

  get random(): Random {
    return this.host.random;
  }

  /** Reads are open to every actor; a commit may not overwrite a state record without its revision. */
  get persistence(): GuardedStatePort {
    this.host.persistence(); // throws ERR_INVALID_CONFIG now, not at the first read
    return new GuardedStatePort(this);
  }

  /** True once system shutdown has begun or this actor is being stopped. */
  get stopping(): boolean {
    return this.stopRequested || !this.alive || this.host.shuttingDown();
  }

  save(alsoWrite: readonly WriteOp[] = []): Promise<CommitResult> {
    return saveState(this, alsoWrite);
  }

  remind(name: string, schedule: ReminderSchedule, message: { type: string; payload: unknown }): void {
    stageReminder((this.writes ??= new TurnWrites()), { type: this.definition.name, key: this.key }, name, schedule, message, this.clock.now(), this.random);
  }

  cancelReminder(name: string): void {
    stageCancel((this.writes ??= new TurnWrites()), { type: this.definition.name, key: this.key }, name);
  }

  reminders(): Promise<ReminderInfo[]> {
    return listReminders(this.host.persistence(), { type: this.definition.name, key: this.key }, this.writes);
  }

  records<T = unknown>(collection: string): OwnedRecords<T> {
    const owner = { type: this.definition.name, key: this.key, owns: this.definition.persistence?.owns };
    const records = ownedRecords<T>(owner, collection, () => (this.writes ??= new TurnWrites()), () => this.host.persistence());
    // Child records are written without a revision: never into a collection of actors' state records.
    if (this.host.isStateCollection(collection)) throw new StateWriteRefusedError(`actor ${this.id} cannot own '${collection}': it holds actors' state records`);
    return records;
  }

  ref<TDef extends ActorDefinition>(definition: TDef, key: string, options?: RefOptions): ActorRef<TDef> {
    return this.host.ref(definition, key, options);
  }

  pipe<T>(promise: PromiseLike<T>, toMessage: (outcome: Outcome<T>) => SelfMessage): void {
    this.inFlight++;
    const deliver = (outcome: Outcome<T>) => {
      this.inFlight--;
      this.tellSelf(toMessage, outcome);
    };
    promise.then(
      (value) => deliver({ ok: true, value }),
      (error: unknown) => deliver({ ok: false, error }),
    );
  }

  startTask<TInput, TResult, TProgress>(
    pool: string,
    task: TaskDescriptor<TInput, TResult, TProgress>,
    input: TInput,
    options: StartTaskOptions<TResult, TProgress, SelfMessage>,
  ): TaskHandle {
    const target = this.host.pool(pool);
    this.tasks ??= new CellTasks<SelfMessage>({
      type: this.definition.name,
      key: this.key,
      events: this.host.events,
      tell: (build, arg) => this.tellSelf(build, arg),
    });
    return this.tasks.start(pool, target, task, input, options);
  }

  startTimer(name: string, delayMs: number, message: SelfMessage, options: TimerOptions = {}): void {
    (this.timers ??= new ActorTimers(this.clock)).start(name, delayMs, options.repeat ?? false, (tick) => {
      this.mailbox.postSelf({ kind: 'user', type: message.type, payload: message.payload, reply: undefined, timer: tick });
    });
  }

  hasTimer(name: string): boolean {
    return this.timers?.has(name) ?? false;
  }

  cancelTimer(name: string): void {
    this.timers?.cancel(name);
  }

  watch(ref: ActorRef<ActorDefinition>): void {
    this.host.watch(this.self as ActorRef<ActorDefinition>, ref);
  }

  unwatch(ref: ActorRef<ActorDefinition>): void {
    this.host.unwatch(this.self as ActorRef<ActorDefinition>, ref);
  }

  stop(): void {
    if (!this.alive) return;
    this.stopRequested = true;
    this.mailbox.postSystem({ kind: 'stop' });
  }

  /**
   * Sends this actor `build(arg)` on its self lane, checked against its
   * schema; once this cell has stopped, through a ref (a passivated actor is
   * re-activated, a stopped one dead-letters it). A message that fails its
   * schema or a builder that throws is a bug worth an event.
   */
  protected tellSelf<T>(build: (arg: T) => SelfMessage, arg: T): void {
    try {
      const message = build(arg);
      if (!this.alive) {
        (this.#selfRef ??= this.host.ref(this.definition, this.key)).tell(message.type, message.payload);
        return;
      }
      const payload = parseMessage(this.definition, message.type, message.payload);
      this.mailbox.postSelf({ kind: 'user', type: message.type, payload, reply: undefined });
    } catch (error) {
      if (!(error instanceof StewardError) || error instanceof InvalidMessageError) this.emitCrash(error, undefined);
    }
  }

  protected emitCrash(error: unknown, messageType: string | undefined): void {
    this.host.events.emit('actor.crashed', { type: this.definition.name, key: this.key, messageType, error });
  }
}
