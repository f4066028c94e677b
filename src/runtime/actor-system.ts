import {
  AbortedError,
  ActorStoppedError,
  InvalidConfigError,
  InvalidKeyError,
  MailboxFullError,
  SystemStoppedError,
} from '../errors.js';
import type { TaskPool } from '../pools/index.js';
import type { ActorSystemOptions, InboundTransit, ShutdownOptions, ShutdownReport } from './actor-system-options.js';
import { ActorCell, type CellHost } from './actor-cell.js';
import type { PersistencePort } from './actor-context.js';
import { ActorRef, type AskOptions, type RefOptions, type RefTarget } from './actor-ref.js';
import { realClock, type Clock } from './clock.js';
import { Deadlines } from './deadlines.js';
import type { ActorDefinition, StateOf, StopReason } from './define-actor.js';
import type { UserEnvelope } from './envelope.js';
import { createEventBus, type DeadLetterReason, type RuntimeEventBus } from './events.js';
import { PendingReply } from './pending-reply.js';
import { realRandom, type Random } from './random.js';
import { microtaskScheduler } from './scheduler.js';
import { waitUntil } from './wait-until.js';

type FinalReason = Exclude<StopReason, 'passivated'>;

const STOP_HOOK_GRACE_MS = 100;

/**
 * The actor runtime. Look actors up by `(definition, key)` with
 * {@link ActorSystem.ref}: the actor is spawned on its first message (virtual
 * actor) and exactly one lives per key, however many look-ups race.
 *
 * A stop is final (later messages become dead letters) when it comes from
 * {@link ActorSystem.stop}, `ctx.stop()`, the `stop` strategy, the restart
 * limit, or shutdown. Passivation is not: the next message re-activates.
 *
 * @example
 * ```ts
 * await using system = new ActorSystem();
 * const counter = system.ref(Counter, 'user-1');
 * counter.tell('add', { by: 1 });
 * console.log(await counter.ask('get', {})); // 1
 * ```
 */
export class ActorSystem implements AsyncDisposable {
  /** Runtime events: started, stopped, crashed, restarted, dead letters, overflow. */
  readonly events: RuntimeEventBus;
  readonly clock: Clock;
  readonly random: Random;
  readonly #cells = new Map<string, ActorCell>();
  readonly #tombstones = new Map<string, FinalReason>();
  readonly #stopping = new Map<string, Promise<void>>();
  readonly #definitions = new Map<string, ActorDefinition>();
  readonly #watchers = new Map<string, Map<string, ActorRef>>();
  readonly #deadlines: Deadlines;
  readonly #askTimeoutMs: number;
  readonly #maxLiveActors: number;
  readonly #host: CellHost;
  readonly #pools: Readonly<Record<string, TaskPool>>;
  readonly #persistence: PersistencePort | undefined;
  readonly #target: RefTarget & { acceptsOutsideMessages: boolean };
  readonly #inbound: InboundTransit | undefined;
  #phase: 'running' | 'shutting-down' | 'stopped' = 'running';
  #shutdown: Promise<ShutdownReport> | undefined;

  constructor(options: ActorSystemOptions = {}) {
    this.events = createEventBus(options.onListenerError);
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? realRandom;
    this.#askTimeoutMs = options.askTimeoutMs ?? 5_000;
    this.#maxLiveActors = options.maxLiveActors ?? Infinity;
    this.#deadlines = new Deadlines(this.clock, { keepAlive: true }); // an awaited ask holds the process until it settles or times out
    this.#pools = options.pools ?? {};
    const persistence = options.persistence;
    this.#persistence = persistence;
    // A store that lost its directory lock serves nothing more: stop cleanly rather than let actors crash one by one.
    persistence?.onUnusable?.((error) => {
      this.events.emit('persistence.lost', { code: (error as { code?: string }).code ?? 'unknown', message: error.message });
      void this.shutdown().catch(() => undefined);
    });
    this.#host = {
      clock: this.clock,
      random: this.random,
      scheduler: options.scheduler ?? microtaskScheduler,
      events: this.events,
      messagesPerTurn: options.messagesPerTurn ?? 64,
      ref: (definition, key, refOptions) => this.#makeRef(definition, key, refOptions ?? {}, true),
      pool: (name) => {
        const pool = Object.hasOwn(this.#pools, name) ? this.#pools[name] : undefined;
        if (!pool) throw new InvalidConfigError(`no task pool named '${name}' (known: ${Object.keys(this.#pools).join(', ') || 'none'})`);
        return pool;
      },
      // A method, not a getter: an object literal's getter pair is allocated in
      // V8's old space, and pointing from there into this constructor's closure
      // context kept every short-lived system alive until a full GC.
      shuttingDown: () => this.#phase !== 'running',
      persistence: () => {
        if (!persistence) throw new InvalidConfigError('this actor system has no persistence: pass `persistence` to new ActorSystem()');
        return persistence;
      },
      deadLetter: (cell, envelope, reason) => this.#deadLetter(cell.definition.name, cell.key, envelope, reason),
      retire: (cell, reason) => this.#retire(cell, reason),
      cellStopped: (cell, reason) => this.#cellStopped(cell, reason),
      watch: (watcher, target) => this.#watch(watcher, target),
      unwatch: (watcher, target) => this.#watchersOf(target, false)?.delete(idOf(watcher.type, watcher.key)),
    };
    this.#inbound = options.inbound;
    this.#target = {
      // Outside messages may go straight to a live cell only while nothing stands in between.
      acceptsOutsideMessages: !options.inbound,
      post: (ref, envelope) => this.#post(ref, envelope),
      ask: (ref, type, payload, askOptions) => this.#ask(ref, type, payload, askOptions),
    };
  }

  /** Number of live (activating, running or restarting) actors. */
  get liveActors(): number {
    return this.#cells.size;
  }

  /** True until shutdown begins. */
  get running(): boolean {
    return this.#phase === 'running';
  }

  /**
   * A ref to the actor `(definition, key)`. Cheap: nothing is spawned until a
   * message is sent. Throws `ERR_INVALID_KEY` for an empty key and
   * `ERR_INVALID_CONFIG` if another definition already uses this name.
   */
  ref<TDef extends ActorDefinition>(definition: TDef, key: string, options: RefOptions = {}): ActorRef<TDef> {
    return this.#makeRef(definition, key, options, false);
  }

  #makeRef<TDef extends ActorDefinition>(definition: TDef, key: string, options: RefOptions, internal: boolean): ActorRef<TDef> {
    if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError(`actor key for '${definition.name}' must be a non-empty string`);
    const known = this.#definitions.get(definition.name);
    if (!known) this.#definitions.set(definition.name, definition);
    else if (known !== definition) throw new InvalidConfigError(`two different actor definitions are named '${definition.name}'`);
    return new ActorRef(definition, key, this.#target, options.trusted ?? false, internal);
  }

  /** Ids of live actors between two turns, which {@link crashActor} can crash. @internal */
  crashableActorIds(): string[] {
    return [...this.#cells.values()].filter((cell) => cell.status === 'running' && !cell.mailbox.busy).map((cell) => cell.id);
  }

  /** Crashes a live actor between two turns as if a handler had thrown `error`; its supervisor decides what follows. @internal */
  crashActor(id: string, error: unknown): boolean {
    return this.#cells.get(id)?.crash(error) ?? false;
  }

  /**
   * The current state of a live actor, for invariant checks and debugging;
   * `undefined` if it is not live. Read it, never change it.
   */
  peekState<TDef extends ActorDefinition>(ref: ActorRef<TDef>): StateOf<TDef> | undefined {
    const cached = ref.cell as ActorCell | undefined;
    const cell = cached?.alive ? cached : this.#cells.get(idOf(ref.type, ref.key));
    return cell && cell.status !== 'activating' ? (cell.state as StateOf<TDef>) : undefined;
  }

  /** Stops an actor for good (queued messages become dead letters); resolves once it has stopped. */
  stop(ref: ActorRef<ActorDefinition>): Promise<void> {
    const id = idOf(ref.type, ref.key);
    const cell = this.#cells.get(id);
    if (cell) return this.#retire(cell, 'stopped');
    if (!this.#tombstones.has(id)) {
      this.#tombstones.set(id, 'stopped');
      this.#notifyWatchers(ref.type, ref.key, 'stopped');
    }
    return this.#stopping.get(id) ?? Promise.resolve();
  }

  /**
   * Shuts down: no new actors, mailboxes drain until the deadline, what is
   * still queued then becomes dead letters, stop hooks run, timers are
   * cancelled. Calling it again returns the same report.
   */
  shutdown(options: ShutdownOptions = {}): Promise<ShutdownReport> {
    this.#shutdown ??= this.#runShutdown(options.deadlineMs ?? 5_000);
    return this.#shutdown;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  async #runShutdown(deadlineMs: number): Promise<ShutdownReport> {
    this.#phase = 'shutting-down';
    this.#target.acceptsOutsideMessages = false;
    const deadline = this.clock.monotonic() + deadlineMs;
    const remaining = () => Math.max(0, deadline - this.clock.monotonic());
    // Drained: nothing queued, no turn in hand. Work still in flight (piped promises) is not waited for:
    // its outcome becomes a dead letter, which is what durable state plus reconciliation on restart are for.
    const allIdle = () => [...this.#cells.values()].every((cell) => cell.quiescent);
    // Pools close first: queued tasks are cancelled now, running ones get most of the deadline, and every
    // outcome still reaches its owner as a message while the owner is alive to handle it.
    const poolDeadlineMs = Math.max(0, deadlineMs - Math.min(STOP_HOOK_GRACE_MS, deadlineMs / 2));
    const pools = Promise.allSettled(Object.values(this.#pools).map((pool) => pool.close({ deadlineMs: poolDeadlineMs })));
    const drained = await waitUntil(this.clock, deadlineMs, allIdle);
    await waitUntil(this.clock, remaining(), pools);
    let abandoned = 0;
    const stops: Promise<void>[] = [];
    for (const cell of [...this.#cells.values()]) {
      abandoned += cell.mailbox.depth;
      stops.push(this.#retire(cell, 'shutdown'));
    }
    // Stop hooks get a short grace even when draining used up the deadline: they are what saves state.
    await waitUntil(this.clock, Math.max(remaining(), STOP_HOOK_GRACE_MS), Promise.all([...stops, ...this.#stopping.values()]));
    // Last: stop hooks may have saved state through it.
    await this.#persistence?.close();
    this.#phase = 'stopped';
    return { stopped: stops.length, abandoned, timedOut: !drained };
  }

  #cellFor(ref: ActorRef<ActorDefinition>): ActorCell | undefined {
    const id = idOf(ref.type, ref.key);
    let cell = this.#cells.get(id);
    if (cell) {
      if (this.#maxLiveActors !== Infinity) {
        this.#cells.delete(id); // re-insert: Map order is our recency order
        this.#cells.set(id, cell);
      }
    } else {
      if (this.#tombstones.has(id) || this.#phase !== 'running') return undefined;
      cell = this.#spawn(ref.definition, ref.key, id);
    }
    // Refs cache their cell for the tell fast path, except when recency must be tracked for the live-actor cap.
    if (this.#maxLiveActors === Infinity) ref.cell = cell;
    return cell;
  }

  #spawn(definition: ActorDefinition, key: string, id: string): ActorCell {
    const cell = new ActorCell(this.#host, definition, key);
    this.#cells.set(id, cell);
    cell.activate(this.#stopping.get(id));
    if (definition.passivation) this.#watchIdle(cell, definition.passivation.idleAfterMs, -1);
    if (this.#cells.size > this.#maxLiveActors) this.#passivateLeastRecent(cell);
    return cell;
  }

  /** Passivates an actor once it has handled nothing for `idleAfterMs` (checked at most every `idleAfterMs`). */
  #watchIdle(cell: ActorCell, idleAfterMs: number, turnsAtLastCheck: number): void {
    this.clock.setTimer(idleAfterMs, () => {
      if (this.#cells.get(cell.id) !== cell) return;
      if (cell.idle && cell.turns === turnsAtLastCheck) void this.#retire(cell, 'passivated');
      else this.#watchIdle(cell, idleAfterMs, cell.turns);
    });
  }

  #passivateLeastRecent(spared: ActorCell): void {
    for (const cell of this.#cells.values()) {
      if (this.#cells.size <= this.#maxLiveActors) return;
      if (cell !== spared && cell.idle) void this.#retire(cell, 'passivated');
    }
  }

  #retire(cell: ActorCell, reason: StopReason): Promise<void> {
    if (cell.stopped) return cell.stopped;
    const id = cell.id;
    if (this.#cells.get(id) === cell) this.#cells.delete(id);
    if (reason !== 'passivated' && reason !== 'shutdown') this.#tombstones.set(id, reason);
    const stopped = cell.terminate(reason);
    this.#stopping.set(id, stopped);
    return stopped;
  }

  #cellStopped(cell: ActorCell, reason: StopReason): void {
    const id = cell.id;
    if (this.#stopping.get(id) === cell.stopped) this.#stopping.delete(id);
    this.events.emit('actor.stopped', { type: cell.definition.name, key: cell.key, reason });
    if (reason !== 'passivated' && reason !== 'shutdown') this.#notifyWatchers(cell.definition.name, cell.key, reason);
  }

  #post(ref: ActorRef<ActorDefinition>, envelope: UserEnvelope): void {
    const inbound = this.#inbound;
    if (inbound && !ref.internal && this.#phase === 'running') {
      inbound(idOf(ref.type, ref.key), envelope.type, () => this.#arrive(ref, envelope));
      return;
    }
    this.#deliver(ref, envelope);
  }

  /** A message that was in transit arrives: what the system became meanwhile decides its fate, and no one is left to throw to. */
  #arrive(ref: ActorRef<ActorDefinition>, envelope: UserEnvelope): void {
    try {
      this.#deliver(ref, envelope);
    } catch (error) {
      envelope.reply?.reject(error); // a tell that found the system stopping is already a dead letter
    }
  }

  #deliver(ref: ActorRef<ActorDefinition>, envelope: UserEnvelope): void {
    const cached = ref.cell;
    if (cached?.alive && (ref.internal || this.#phase === 'running')) return cached.post(envelope);
    if (this.#phase === 'stopped' || (this.#phase === 'shutting-down' && !ref.internal)) {
      this.#deadLetter(ref.type, ref.key, envelope, 'shutdown');
      throw new SystemStoppedError(`system is ${this.#phase}: '${envelope.type}' to ${ref} was not delivered`);
    }
    const cell = this.#cellFor(ref);
    if (!cell) {
      // Stopped for good: the tombstone says why (a final shutdown stop of this actor included).
      const reason = this.#phase === 'running' ? (this.#tombstones.get(idOf(ref.type, ref.key)) ?? 'stopped') : 'shutdown';
      this.#deadLetter(ref.type, ref.key, envelope, reason);
      if (reason === 'shutdown') throw new SystemStoppedError(`system is shutting down: '${envelope.type}' to ${ref} was not delivered`);
      return;
    }
    cell.post(envelope);
  }

  #ask(ref: ActorRef<ActorDefinition>, type: string, payload: unknown, options: AskOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.#askTimeoutMs;
      const reply = new PendingReply(resolve, reject, type, ref, timeoutMs);
      const { signal } = options;
      if (signal) {
        const onAbort = () => reply.reject(new AbortedError(`ask '${type}' to ${ref} was aborted`, { cause: signal.reason }));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        reply.detachSignal = () => signal.removeEventListener('abort', onAbort);
      }
      reply.deadlines = this.#deadlines;
      reply.deadline = this.#deadlines.add(timeoutMs, expireReply, reply);
      try {
        this.#post(ref, { kind: 'user', type, payload, reply });
      } catch (error) {
        reply.reject(error);
      }
    });
  }

  #deadLetter(type: string, key: string, envelope: UserEnvelope, reason: DeadLetterReason): void {
    this.events.emit('dead.letter', { type, key, messageType: envelope.type, reason });
    if (!envelope.reply) return;
    envelope.reply.reject(
      reason === 'shutdown'
        ? new SystemStoppedError(`system shut down before ${type}/${key} handled '${envelope.type}'`)
        : reason === 'overflow'
          ? new MailboxFullError(`mailbox of ${type}/${key} is full: '${envelope.type}' was dropped by its overflow policy`)
          : new ActorStoppedError(`actor ${type}/${key} is stopped (${reason}): '${envelope.type}' was not handled`),
    );
  }

  #watch(watcher: ActorRef<ActorDefinition>, target: ActorRef<ActorDefinition>): void {
    const reason = this.#tombstones.get(idOf(target.type, target.key));
    if (reason) {
      this.#cellFor(watcher)?.mailbox.postSystem({ kind: 'terminated', notice: { type: target.type, key: target.key, reason } });
      return;
    }
    this.#watchersOf(target, true)?.set(idOf(watcher.type, watcher.key), watcher);
  }

  #watchersOf(target: ActorRef<ActorDefinition>, create: boolean): Map<string, ActorRef> | undefined {
    const id = idOf(target.type, target.key);
    let watchers = this.#watchers.get(id);
    if (!watchers && create) this.#watchers.set(id, (watchers = new Map()));
    return watchers;
  }

  #notifyWatchers(type: string, key: string, reason: FinalReason): void {
    const id = idOf(type, key);
    const watchers = this.#watchers.get(id);
    if (!watchers) return;
    this.#watchers.delete(id);
    for (const watcher of watchers.values()) {
      this.#cellFor(watcher)?.mailbox.postSystem({ kind: 'terminated', notice: { type, key, reason } });
    }
  }
}

/** One function for every ask timeout, so an ask allocates no timeout closure. */
function expireReply(reply: PendingReply): void {
  reply.expire();
}

function idOf(type: string, key: string): string {
  return `${type}/${key}`;
}
