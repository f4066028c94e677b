import { InvalidConfigError, InvalidKeyError, SystemStoppedError } from '../errors.js';
import type { ActorSystemOptions, InboundTransit, ShutdownOptions, ShutdownReport } from './actor-system-options.js';
import type { ActorCell } from './actor-cell.js';
import { ask } from './ask.js';
import { keyOf } from './actor-id.js';
import { ActorTypes } from './actor-types.js';
import { ActorRef, type AskOptions, type RefOptions, type RefTarget } from './actor-ref.js';
import type { CellHost } from './cell-host.js';
import { CellRegistry } from './cell-registry.js';
import { realClock, type Clock } from './clock.js';
import { deadLetter } from './dead-letters.js';
import { Deadlines } from './deadlines.js';
import { DEFAULT_MAX_TOMBSTONES, DeathWatch, type FinalReason } from './death-watch.js';
import type { ActorDefinition, StateOf, StopReason } from './define-actor.js';
import type { UserEnvelope } from './envelope.js';
import { createEventBus, forwardPoolIncidents, type RuntimeEventBus } from './events.js';
import { SystemInstruments, type SystemMetrics } from './instruments.js';
import type { OwnershipPort, StatePort, TaskPoolPort } from './ports/index.js';
import { realRandom, type Random } from './random.js';
import { microtaskScheduler } from './scheduler.js';
import { REMINDER_SERVICE_KEY, SystemReminders } from './reminders/system-reminders.js';
import { simulationControl } from './simulation-hooks.js';
import { SystemOwnership } from './system-ownership.js';
import { runShutdown } from './system-shutdown.js';
import { poolNamed, requirePersistence } from './system-ports.js';

/**
 * The actor runtime. Look actors up by `(definition, key)` with
 * {@link ActorSystem.ref}: the actor is spawned on its first message (virtual
 * actor) and exactly one lives per key, however many look-ups race.
 *
 * A stop is final (later messages become dead letters) when it comes from
 * {@link ActorSystem.stop}, `ctx.stop()`, the `stop` strategy, the restart
 * limit, or shutdown; {@link ActorSystem.revive} lifts it. Passivation is
 * not final: the next message re-activates.
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
  readonly #cells: CellRegistry;
  readonly #types = new ActorTypes();
  readonly #reminders: SystemReminders;
  readonly #deathWatch: DeathWatch;
  readonly #deadlines: Deadlines;
  readonly #askTimeoutMs: number;
  readonly #pools: Readonly<Record<string, TaskPoolPort>>;
  readonly #persistence: StatePort | undefined;
  readonly #ownership: OwnershipPort | undefined;
  /** What the system does with its ownership port, when it has one. */
  readonly #owned: SystemOwnership | undefined;
  readonly #defer: ((callback: () => void) => void) | undefined;
  readonly #target: RefTarget & { acceptsOutsideMessages: boolean };
  readonly #inbound: InboundTransit | undefined;
  readonly #instruments: SystemInstruments;
  #phase: 'running' | 'shutting-down' | 'stopped' = 'running';
  #shutdown: Promise<ShutdownReport> | undefined;

  constructor(options: ActorSystemOptions = {}) {
    this.#instruments = new SystemInstruments(options);
    this.events = createEventBus(this.#instruments.onListenerError, this.#instruments.observe);
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? realRandom;
    this.#askTimeoutMs = options.askTimeoutMs ?? 5_000;
    this.#deathWatch = new DeathWatch(options.maxTombstones ?? DEFAULT_MAX_TOMBSTONES);
    this.#deadlines = new Deadlines(this.clock, { keepAlive: true }); // an awaited ask holds the process until it settles or times out
    forwardPoolIncidents((this.#pools = options.pools ?? {}), this.events);
    const persistence = options.persistence && this.#instruments.timedPort(options.persistence);
    this.#persistence = persistence;
    // A store that lost its directory lock serves nothing more: stop cleanly rather than let actors crash one by one.
    persistence?.onUnusable?.((error) => {
      this.events.emit('persistence.lost', { code: (error as { code?: string }).code ?? 'unknown', message: error.message });
      void this.shutdown().catch(() => undefined);
    });
    const host: CellHost = {
      clock: this.clock,
      random: this.random,
      scheduler: options.scheduler ?? microtaskScheduler,
      events: this.events,
      messagesPerTurn: options.messagesPerTurn ?? 64,
      stopWaitMs: this.#askTimeoutMs,
      ownership: options.ownership,
      shuttingDown: () => this.#phase !== 'running',
      instruments: this.#instruments,
      ref: (definition, key, refOptions) => this.#makeRef(definition, key, refOptions ?? {}, true),
      pool: (name) => poolNamed(this.#pools, name),
      persistence: () => requirePersistence(persistence),
      isStateCollection: (collection) => this.#types.isStateCollection(collection),
      remindersChanged: (earliestDue) => this.#reminders.changed(earliestDue),
      deadLetter: (cell, envelope, reason) => deadLetter(this.events, cell.definition.name, cell.key, envelope, reason),
      stop: (cell, reason) => this.#cells.stop(cell, reason),
      lostEntity: (cell) => this.#owned?.lostEntity(cell) ?? this.#cells.stop(cell, 'passivated'),
      leaseOutlived: (cell, envelope) => this.#owned?.outlived(cell, envelope) ?? this.#cells.stop(cell, 'passivated'),
      stopped: (cell, reason) => this.#cellStopped(cell, reason),
      watch: (watcher, target) => this.#watch(watcher, target),
      unwatch: (watcher, target) => this.#deathWatch.unwatch(keyOf(watcher), keyOf(target)),
    };
    this.#cells = new CellRegistry(host, this.clock, options.maxLiveActors ?? Infinity, this.#deathWatch, () => this.#phase === 'running');
    this.#inbound = options.inbound;
    this.#target = {
      // Outside messages may go straight to a live cell only while nothing stands in between.
      acceptsOutsideMessages: !options.inbound,
      post: (ref, envelope) => this.#post(ref, envelope),
      ask: (ref, type, payload, askOptions) => this.#ask(ref, type, payload, askOptions),
    };
    this.#ownership = options.ownership;
    this.#owned =
      options.ownership &&
      new SystemOwnership({
        port: options.ownership,
        cells: this.#cells,
        events: this.events,
        deathWatch: this.#deathWatch,
        deadlines: this.#deadlines,
        running: () => this.#phase === 'running',
        definition: (type) => this.#types.get(type),
        ref: (definition, key, internal) => this.#makeRef(definition, key, { trusted: internal }, internal),
        arrive: (ref, envelope) => this.#arrive(ref, envelope),
        deliverHere: (ref, envelope) => this.#deliver(ref, envelope, false),
      });
    for (const definition of [...(options.actors ?? []), ...(options.reminders?.actors ?? [])]) this.#types.know(definition);
    options.simulation?.attach(simulationControl(() => this.#cells.cells()));
    this.#defer = options.simulation?.defer;
    this.#reminders = new SystemReminders({
      options: options.reminders,
      lookup: (type) => this.#types.get(type),
      wake: (service) => this.#makeRef(service, REMINDER_SERVICE_KEY, { trusted: true }, true).tell('wake', {}),
      clock: this.clock,
      clustered: this.#ownership?.forward !== undefined,
      running: () => this.#phase === 'running',
    });
    if (options.reminders && !persistence) throw new InvalidConfigError('reminders are durable: pass `persistence` to new ActorSystem() as well');
    else if (options.reminders) this.#reminders.start();
  }

  /** Number of live (activating, running or restarting) actors. */
  get liveActors(): number {
    return this.#cells.size;
  }

  /** A snapshot of actors, mailboxes, timings, event counts and pools (see {@link SystemMetrics}). */
  metrics(): SystemMetrics {
    return this.#instruments.metrics(this.clock.now(), this.#cells.cells(), this.#pools);
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
    this.#types.know(definition);
    return new ActorRef(definition, key, this.#target, options.trusted ?? false, internal);
  }

  /** The current state of a live actor (`undefined` if not live), for invariant checks and debugging: read it, never change it. */
  peekState<TDef extends ActorDefinition>(ref: ActorRef<TDef>): StateOf<TDef> | undefined {
    const cached = ref.cell as ActorCell | undefined;
    const cell = cached?.alive ? cached : this.#cells.live(ref.type, ref.key);
    return cell && cell.lifecycle !== 'activating' ? (cell.state as StateOf<TDef>) : undefined;
  }

  /** Stops an actor for good (queued messages become dead letters, `onStop` runs after the turn in hand); resolves once stopped. */
  stop(ref: ActorRef<ActorDefinition>): Promise<void> {
    const id = keyOf(ref);
    const cell = this.#cells.get(id);
    if (cell) return this.#cells.stop(cell, 'stopped');
    if (!this.#deathWatch.tombstone(id)) {
      this.#deathWatch.bury(id, 'stopped');
      this.#notifyWatchers(ref.type, ref.key, id, 'stopped');
    }
    return this.#cells.stopping(id) ?? Promise.resolve();
  }

  /**
   * Lifts a final stop (by {@link stop}, `ctx.stop()`, the `stop` strategy
   * or the restart limit): the next message spawns the actor afresh, its
   * state reloaded. Returns false if the actor was not stopped for good.
   */
  revive(ref: ActorRef<ActorDefinition>): boolean {
    return this.#phase === 'running' && this.#deathWatch.revive(keyOf(ref));
  }

  /**
   * Shuts down (steps in system-shutdown.ts), every step within the deadline;
   * restart backoffs are cancelled, not waited out. Calling it again returns the same report.
   */
  shutdown(options: ShutdownOptions = {}): Promise<ShutdownReport> {
    if (this.#shutdown) return this.#shutdown;
    this.#phase = 'shutting-down';
    this.#target.acceptsOutsideMessages = false;
    this.#shutdown = runShutdown(this.clock, options.deadlineMs ?? 5_000, {
      cells: () => [...this.#cells.cells()],
      pools: Object.values(this.#pools),
      stop: (cell) => this.#cells.stop(cell, 'shutdown'),
      stopping: () => this.#cells.allStopping(),
      persistence: this.#persistence,
      defer: this.#defer,
    }).finally(() => (this.#phase = 'stopped'));
    return this.#shutdown;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  #cellFor(ref: ActorRef<ActorDefinition>): ActorCell | undefined {
    return this.#cells.cellFor(ref);
  }

  #cellStopped(cell: ActorCell, reason: StopReason): void {
    const id = cell.registryKey;
    if (cell.fence) this.#ownership?.release(cell.fence);
    this.#cells.stopped(cell);
    this.events.emit('actor.stopped', { type: cell.definition.name, key: cell.key, reason });
    if (reason === 'passivated') return;
    this.#deathWatch.forgetWatcher(id);
    if (reason !== 'shutdown') this.#notifyWatchers(cell.definition.name, cell.key, id, reason);
  }

  #post(ref: ActorRef<ActorDefinition>, envelope: UserEnvelope): void {
    const inbound = this.#inbound;
    if (inbound && !ref.internal && this.#phase === 'running') {
      inbound(`${ref.type}/${ref.key}`, envelope.type, () => this.#arrive(ref, envelope), () => envelope.reply?.settled === true);
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

  #deliver(ref: ActorRef<ActorDefinition>, envelope: UserEnvelope, routable = true): void {
    const cached = ref.cell;
    if (cached?.alive && (ref.internal || this.#phase === 'running')) return cached.post(envelope);
    if (this.#phase === 'stopped' || (this.#phase === 'shutting-down' && !ref.internal)) {
      deadLetter(this.events, ref.type, ref.key, envelope, 'shutdown');
      throw new SystemStoppedError(`system is ${this.#phase}: '${envelope.type}' to ${ref} was not delivered`);
    }
    if (routable && this.#owned?.routed(ref, envelope)) return;
    const cell = this.#cellFor(ref);
    if (!cell) {
      // Stopped for good: the tombstone says why (a final shutdown stop of this actor included).
      const reason = this.#phase === 'running' ? (this.#deathWatch.tombstone(keyOf(ref)) ?? 'stopped') : 'shutdown';
      deadLetter(this.events, ref.type, ref.key, envelope, reason);
      if (reason === 'shutdown') throw new SystemStoppedError(`system is shutting down: '${envelope.type}' to ${ref} was not delivered`);
      return;
    }
    cell.post(envelope);
  }

  #ask(ref: ActorRef<ActorDefinition>, type: string, payload: unknown, options: AskOptions | undefined): Promise<unknown> {
    return ask(this.#deadlines, options?.timeoutMs ?? this.#askTimeoutMs, ref, type, payload, options?.signal, this.#target.post);
  }

  #watch(watcher: ActorRef<ActorDefinition>, target: ActorRef<ActorDefinition>): void {
    const reason = this.#deathWatch.tombstone(keyOf(target));
    if (reason) {
      this.#cellFor(watcher)?.mailbox.postSystem({ kind: 'terminated', notice: { type: target.type, key: target.key, reason } });
      return;
    }
    this.#deathWatch.watch(keyOf(watcher), watcher, keyOf(target));
  }

  #notifyWatchers(type: string, key: string, id: string, reason: FinalReason): void {
    for (const watcher of this.#deathWatch.takeWatchers(id)) {
      this.#cellFor(watcher)?.mailbox.postSystem({ kind: 'terminated', notice: { type, key, reason } });
    }
  }
}
