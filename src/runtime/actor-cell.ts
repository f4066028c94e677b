import { InvalidMessageError, MailboxFullError, SystemStoppedError } from '../errors.js';
import { Mailbox, type MailboxDriver } from '../mailbox/index.js';
import { actorId } from './actor-id.js';
import type { CellHost } from './cell-host.js';
import { commitTurnWrites } from './cell-state.js';
import { SupervisedCell, type FailurePhase } from './cell-supervision.js';
import type { ActorDefinition, StopReason } from './define-actor.js';
import type { Envelope, UserEnvelope } from './envelope.js';
import type { DeadLetterReason } from './events.js';
import { handlerTable, type HandlerTable } from './handler-table.js';
import { transition, type LifecycleStatus } from './lifecycle.js';
import { turnChannel } from './diagnostics.js';
import { waitUntil } from './wait-until.js';

type CellHandler = (payload: unknown, ctx: ActorCell) => unknown;

/**
 * One live actor: its mailbox and the turn loop that hands each message to
 * its handler, one at a time. The lifecycle's states are in lifecycle.ts,
 * what a failure leads to in cell-supervision.ts, the handlers' `ctx` in
 * handler-context.ts: the cell extends both, so an idle actor is one object.
 * @internal
 */
export class ActorCell extends SupervisedCell implements MailboxDriver<Envelope> {
  /** Messages handled so far; passivation compares it between idle checks. */
  turns = 0;
  readonly mailbox: Mailbox<Envelope>;
  /** Settles when the cell has stopped (turn in hand finished, `onStop` run); a successor waits for it. */
  stopped: Promise<void> | undefined;
  #current: UserEnvelope | undefined;
  /** The turn in hand, while a handler's promise is pending: a stop waits for it. */
  #turn: Promise<void> | undefined;
  readonly #handlers: HandlerTable;

  constructor(
    host: CellHost,
    definition: ActorDefinition,
    key: string,
    /** The system's registry key of `(type, key)`: unambiguous whatever either contains. */
    readonly registryKey: string,
  ) {
    super(host, definition, key);
    this.id = actorId(definition.name, key);
    this.#handlers = handlerTable(definition);
    this.mailbox = new Mailbox<Envelope>(this, definition.mailbox, host.messagesPerTurn);
  }

  /** `type/key`, for messages and events, and the owner the scheduler is told of each turn. */
  readonly id: string;

  get lifecycle(): LifecycleStatus {
    return this.status;
  }

  /** Drained: nothing queued, no turn in hand (or waiting out a restart backoff, which a shutdown cancels). */
  get drained(): boolean {
    return (this.status === 'running' && !this.mailbox.busy && this.mailbox.depth === 0) || this.inBackoff;
  }

  /** Idle: running, nothing queued or in hand, nothing piped, no task or timer pending. */
  get idle(): boolean {
    return (
      this.status === 'running' && !this.mailbox.busy && this.mailbox.depth === 0 && this.inFlight === 0 && !this.tasks?.size && !this.timers?.size
    );
  }

  /** @internal MailboxDriver: turns go through the system's scheduler. */
  schedule(drain: () => void): void {
    this.host.scheduler.schedule(this.id, drain);
  }

  /** Loads the state and runs `onStart`, holding messages until both are done. */
  activate(predecessor: Promise<void> | undefined): void {
    this.mailbox.suspend();
    // Without an ownership port this process owns every entity: there is nothing to claim.
    if (!this.host.ownership) return this.startAfter(predecessor);
    const ready = predecessor ?? Promise.resolve();
    const loaded = ready.then(() => this.#claim()).then((owned) => owned && this.loadAndStart().then(() => true));
    loaded.then(
      (started) => {
        if (started && this.status === 'activating') this.started('actor.started');
      },
      (error: unknown) => this.fail(error, undefined, 'starting'),
    );
  }

  /**
   * Claims the entity through the system's ownership port (if it has one)
   * and keeps the fence its writes carry. A refused claim (owned elsewhere
   * now) is not a failure of this actor: it passivates, and what was queued
   * for it goes to the owner (a port that forwards) or as dead letters.
   */
  async #claim(): Promise<boolean> {
    const ownership = this.host.ownership;
    if (!ownership) return true;
    try {
      this.fence = await ownership.claim(this.definition.name, this.key);
      return true;
    } catch {
      void this.host.lostEntity(this);
      return false;
    }
  }

  /**
   * Fails the actor between two turns, as if a turn had thrown `error` (the
   * simulator's actor-crash fault). A turn in progress cannot crash from the
   * outside: in a real process only the turn itself throws, or the whole
   * process dies. Returns false when there is a turn in progress.
   */
  crash(error: unknown): boolean {
    if (this.status !== 'running' || this.mailbox.busy) return false;
    this.fail(error, undefined, 'between turns');
    return true;
  }

  /** Queues a user message through the mailbox's overflow policy; throws `ERR_MAILBOX_FULL` if the policy refuses it. */
  post(envelope: UserEnvelope): void {
    const result = this.mailbox.post(envelope);
    if (result.accepted && !result.dropped) return;
    const overflow = this.definition.mailbox?.overflow ?? 'reject';
    if (result.dropped) {
      const dropped = result.dropped as UserEnvelope;
      this.host.events.emit('mailbox.overflow', { type: this.definition.name, key: this.key, messageType: dropped.type, policy: overflow, depth: this.mailbox.userDepth });
      if (result.accepted || overflow === 'drop-newest') this.host.deadLetter(this, dropped, 'overflow');
    }
    if (!result.accepted && overflow !== 'drop-newest') {
      throw new MailboxFullError(`mailbox of ${this.id} is full (${this.mailbox.userDepth} messages): '${envelope.type}' refused`);
    }
  }

  /**
   * Stops the cell: a restart backoff and timers cancelled, then, once the
   * turn in hand (if any) has finished, `onStop` run, queued messages
   * dead-lettered and the host told. Safe to call more than once.
   */
  stopWith(reason: StopReason): Promise<void> {
    if (this.stopped) return this.stopped;
    // After a crash, or before a (re)load finished, the state is whatever the failure left.
    const stateTrusted = reason !== 'failed' && this.status === 'running';
    this.stopRequested = true;
    this.status = transition(this.status, 'stopping');
    this.cancelRestart();
    this.timers?.cancelAll();
    if (reason !== 'passivated') this.tasks?.cancelAll(new Error(`actor ${this.id} stopped (${reason})`));
    // A handler still running at a shutdown deadline will never reply in time.
    if (reason === 'shutdown') this.#current?.reply?.reject(new SystemStoppedError(`system shut down while actor ${this.id} was handling '${this.#current.type}'`));
    this.mailbox.suspend();
    const deadReason: DeadLetterReason = reason === 'passivated' ? 'stopped' : reason;
    this.#deadLetterQueued(deadReason);
    const hook = this.definition.onStop;
    // A shutdown stops cells only once drained or past its deadline: a turn still in hand then is abandoned.
    // A turn that outlives the host's turn bound (a hung handler) is abandoned: its state is not trusted then.
    const turn = reason === 'shutdown' ? undefined : this.#turn;
    let trusted = stateTrusted;
    this.stopped = (turn ? waitUntil(this.clock, this.host.stopWaitMs, turn).then((finished) => void (trusted &&= finished)) : Promise.resolve())
      .then(() => hook?.(this, reason, { stateTrusted: trusted }))
      .catch((error: unknown) => this.emitCrash(error, 'onStop'))
      .then(() => {
        this.status = transition(this.status, 'stopped');
        this.#deadLetterQueued(deadReason);
        this.host.stopped(this, reason);
      });
    return this.stopped;
  }

  #deadLetterQueued(reason: DeadLetterReason): void {
    for (const envelope of this.mailbox.takeAll()) {
      if (envelope.kind === 'user' && !envelope.timer) this.host.deadLetter(this, envelope, reason);
    }
  }

  /** @internal MailboxDriver: handles one message. */
  process(envelope: Envelope): void | Promise<void> {
    if (envelope.kind === 'stop') {
      void this.host.stop(this, 'stopped');
      return;
    }
    // A turn begins only while this process still holds the entity by its own clock: a node resumed after a freeze past its
    // lease may run its timers and I/O before its port's clock check comes round, while another node already owns the entity.
    if (this.fence && this.host.ownership?.stands?.(this.fence) === false) {
      void this.host.leaseOutlived(this, envelope);
      return;
    }
    if (envelope.kind === 'terminated') {
      const onTerminated = this.definition.onTerminated as CellHandler | undefined;
      return onTerminated ? this.#run(undefined, onTerminated, envelope.notice, 'onTerminated') : undefined;
    }
    if (envelope.timer && !this.timers?.admit(envelope.timer)) return; // cancelled, replaced or from an earlier incarnation
    const reply = envelope.reply;
    if (reply) {
      if (reply.settled) return; // the caller gave up (timeout or abort) before its turn
      reply.taken = true;
    }
    // Own properties only: 'toString' or 'constructor' is not a handler.
    const handler = this.#handlers[envelope.type] as CellHandler | undefined;
    if (typeof handler !== 'function') {
      reply?.reject(
        new InvalidMessageError(`actor ${this.id} has no handler for '${envelope.type}'`, [
          { path: ['type'], message: `no handler for '${envelope.type}'`, code: 'unknown_message_type' },
        ]),
      );
      return;
    }
    return this.#run(envelope, handler, envelope.payload, 'handling');
  }

  protected resumeTurns(): void {
    this.mailbox.resume();
  }

  protected suspendTurns(): void {
    this.mailbox.suspend();
  }

  protected stopForFailure(): void {
    void this.host.stop(this, 'failed');
  }

  /** Runs one turn, timed if anyone measures turns; a returned promise keeps the mailbox waiting until it settles. */
  #run(envelope: UserEnvelope | undefined, handler: CellHandler, payload: unknown, phase: FailurePhase, timed = false): void | Promise<void> {
    if (!timed && (this.host.instruments.timings || turnChannel.hasSubscribers)) return this.#timedRun(envelope, handler, payload, phase);
    this.turns++;
    let result: unknown;
    try {
      result = handler(payload, this);
    } catch (error) {
      this.fail(error, envelope, phase);
      return;
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      // Only a turn that awaits can be in hand when a shutdown stops the cell (a shutdown stops nothing synchronously).
      this.#current = envelope;
      const turn = Promise.resolve(result as PromiseLike<unknown>).then(
        (value) => {
          this.#current = this.#turn = undefined;
          return this.#endTurn(envelope, value, phase);
        },
        (error: unknown) => {
          this.#current = this.#turn = undefined;
          this.fail(error, envelope, phase);
        },
      );
      this.#turn = turn;
      return turn;
    }
    return this.#endTurn(envelope, result, phase);
  }

  /** {@link #run}, its duration told to the instruments once the turn (and its commit) settled. */
  #timedRun(envelope: UserEnvelope | undefined, handler: CellHandler, payload: unknown, phase: FailurePhase): void | Promise<void> {
    const startedAt = performance.now();
    const ended = () => this.host.instruments.turnEnded(this.definition.name, this.key, envelope?.type, performance.now() - startedAt);
    const turn = this.#run(envelope, handler, payload, phase, true);
    return turn ? turn.then(ended) : ended();
  }

  /** Ends a turn: writes it staged without saving are committed before its reply (durability before acknowledgement). */
  #endTurn(envelope: UserEnvelope | undefined, value: unknown, phase: FailurePhase): void | Promise<void> {
    const committing = commitTurnWrites(this);
    if (!committing) return envelope?.reply?.resolve(value);
    const turn = committing.then(
      () => envelope?.reply?.resolve(value),
      (error: unknown) => this.fail(error, envelope, phase),
    );
    this.#turn = turn; // a stop waits for the commit, as for any turn in hand
    return turn.then(() => void (this.#turn === turn && (this.#turn = undefined)));
  }
}
