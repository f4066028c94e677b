import { HandlerFailedError, RefusalError } from '../errors.js';
import type { TimerHandle } from './clock.js';
import { commitTurnWrites, loadState } from './cell-state.js';
import type { UserEnvelope } from './envelope.js';
import { HandlerContext } from './handler-context.js';
import { transition, type LifecycleStatus } from './lifecycle.js';
import { Supervisor, type SupervisionDecision } from './supervision.js';

/**
 * Where a failure happened, for the error the asker gets and the crash event;
 * `handling` names the failed envelope's type (a string, so a turn allocates no phase).
 * @internal
 */
export type FailurePhase = 'starting' | 'restarting' | 'between turns' | 'onTerminated' | 'handling';

/** A restart decided and not done yet: its backoff timer, then onRestart and a reload. @internal */
interface PendingRestart {
  readonly decision: Extract<SupervisionDecision, { action: 'restart' }>;
  readonly error: unknown;
  timer: TimerHandle | undefined;
}

/**
 * The supervision part of a cell: loading and starting an incarnation, and
 * what a failure leads to (the asker told, then resume, restart or stop as
 * the supervisor decides). A restart is a visible value, `#restart`, with
 * three steps: backoff, `onRestart`, reload; a stop cancels it.
 * @internal
 */
export abstract class SupervisedCell extends HandlerContext {
  protected status: LifecycleStatus = 'activating';
  #supervisor: Supervisor | undefined;
  #restart: PendingRestart | undefined;

  get alive(): boolean {
    return this.status !== 'stopping' && this.status !== 'stopped';
  }

  /** Between two restarts' steps (in backoff): nothing can be handled until the reload. */
  get inBackoff(): boolean {
    return this.#restart?.timer !== undefined;
  }

  protected abstract resumeTurns(): void;
  protected abstract suspendTurns(): void;
  /** Stops the actor for good: its supervisor gave up on it. */
  protected abstract stopForFailure(): void;

  /**
   * Starts the first incarnation once `ready` (a predecessor's stop) has
   * settled. An actor with nothing to load and no `onStart` takes its
   * `initialState` one microtask later, without the promise chain a load
   * needs: that chain was most of what spawning such an actor allocated.
   */
  protected startAfter(ready: Promise<void> | undefined): void {
    const { load, persistence, onStart } = this.definition;
    if (load || persistence || onStart) {
      // This chain's length is part of every simulated schedule of such actors: keep it as it is.
      (ready ?? Promise.resolve()).then(() => this.loadAndStart()).then(
        () => {
          if (this.status === 'activating') this.started('actor.started');
        },
        (error: unknown) => this.fail(error, undefined, 'starting'),
      );
    } else if (ready) {
      void ready.then(() => this.#startFromInitialState());
    } else {
      void Promise.resolve(this).then(SupervisedCell.#startFromInitialStateOf);
    }
  }

  /** Spares a closure per spawn: the cell travels as the settled value (it has no `then`, so it is not taken for a promise). */
  static readonly #startFromInitialStateOf = (cell: SupervisedCell): void => cell.#startFromInitialState();

  #startFromInitialState(): void {
    this.incarnation++;
    try {
      this.state = this.definition.initialState(this.key);
    } catch (error) {
      this.fail(error, undefined, 'starting');
      return;
    }
    if (this.status === 'activating') this.started('actor.started');
  }

  /** A new incarnation: state loaded (from the store, `load`, or `initialState`), then `onStart`. */
  protected async loadAndStart(): Promise<void> {
    this.incarnation++;
    const loaded = this.definition.load ? await this.definition.load(this.key, this) : await loadState(this);
    this.state = loaded === undefined ? this.definition.initialState(this.key) : loaded;
    if (this.definition.onStart) await this.definition.onStart(this);
    await commitTurnWrites(this);
  }

  /** The incarnation is in place: messages flow. */
  protected started(event: 'actor.started' | 'actor.restarted'): void {
    this.status = transition(this.status, 'running');
    const address = { type: this.definition.name, key: this.key };
    const decision = this.#restart?.decision;
    this.#restart = undefined;
    if (event === 'actor.restarted' && decision) this.host.events.emit('actor.restarted', { ...address, attempt: decision.attempt, delayMs: decision.delayMs });
    else this.host.events.emit('actor.started', address);
    this.resumeTurns();
  }

  /** A turn, a hook or a (re)start threw `error`. */
  protected fail(error: unknown, envelope: UserEnvelope | undefined, phase: FailurePhase): void {
    this.writes?.clear(); // a failed turn's writes go with its state
    if (error instanceof RefusalError && envelope) {
      envelope.reply?.reject(error); // a refusal is an answer, not a crash
      return;
    }
    const handling = phase === 'handling' ? envelope?.type : undefined;
    this.emitCrash(error, phase === 'onTerminated' ? 'onTerminated' : handling);
    const where = phase === 'handling' ? `handling '${handling}'` : phase === 'onTerminated' ? 'in onTerminated' : phase;
    envelope?.reply?.reject(new HandlerFailedError(`actor ${this.id} failed ${where}: ${describe(error)}`, { cause: error }));
    if (!this.alive) return;
    const decision = (this.#supervisor ??= new Supervisor(this.definition.supervision)).decide(this.clock.monotonic(), this.random);
    if (decision.action === 'resume' && this.status === 'running') return;
    if (decision.action !== 'restart') {
      this.stopForFailure();
      return;
    }
    this.status = transition(this.status, 'restarting');
    this.suspendTurns();
    this.timers?.cancelAll();
    const restart: PendingRestart = { decision, error, timer: undefined };
    this.#restart = restart;
    restart.timer = this.clock.setTimer(decision.delayMs, () => this.#afterBackoff(restart));
  }

  /** Cancels a restart in backoff (the cell is stopping): no reload will run. */
  protected cancelRestart(): void {
    const restart = this.#restart;
    if (restart?.timer !== undefined) this.clock.clearTimer(restart.timer);
    this.#restart = undefined;
  }

  #afterBackoff(restart: PendingRestart): void {
    restart.timer = undefined;
    if (this.#restart !== restart || this.status !== 'restarting') return;
    Promise.resolve()
      .then(() => this.definition.onRestart?.(this, restart.error))
      .then(() => this.loadAndStart())
      .then(
        () => {
          if (this.#restart === restart && this.status === 'restarting') this.started('actor.restarted');
        },
        (restartError: unknown) => {
          if (this.#restart === restart) this.fail(restartError, undefined, 'restarting');
        },
      );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
