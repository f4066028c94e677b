import type { TaskPoolPort as TaskPool } from './ports/index.js';
import type { OwnershipPort, StatePort } from './ports/index.js';
import type { SimulationHooks } from './simulation-hooks.js';
import type { ActorDefinition } from './define-actor.js';
import type { Clock } from './clock.js';
import type { ListenerErrorHandler } from './events.js';
import type { Logger } from './logger.js';
import type { Random } from './random.js';
import type { ReminderOptions } from './reminders/reminder-service.js';
import type { TurnScheduler } from './scheduler.js';

/**
 * Options of an {@link ActorSystem}; every one has a default.
 *
 * @example
 * ```ts
 * const download = new PiscinaPool({ name: 'download', maxThreads: 2 });
 * new ActorSystem({ askTimeoutMs: 2_000, maxLiveActors: 50_000, pools: { download }, persistence });
 * ```
 */
export interface ActorSystemOptions {
  /** Time and timers. Default: the wall clock. */
  readonly clock?: Clock;
  /** Randomness and ids. Default: crypto-backed. */
  readonly random?: Random;
  /** Who decides when each actor gets its turn. Default: microtasks. */
  readonly scheduler?: TurnScheduler;
  /** Most messages one actor handles per scheduled turn before yielding. Default 64 (the simulator uses 1). */
  readonly messagesPerTurn?: number;
  /** Default timeout of `ask`. Default 5,000 ms. */
  readonly askTimeoutMs?: number;
  /**
   * Cap on live actors: past it, the least recently used idle actors are
   * passivated. Default: no cap (every key ever messaged stays live unless
   * its type has `passivation`): a service facing unbounded keys sets one.
   */
  readonly maxLiveActors?: number;
  /** Most final stops remembered (oldest forgotten first: a message to a forgotten one spawns it afresh). Default 10,000. */
  readonly maxTombstones?: number;
  /** Task pools by name, for `ctx.startTask(name, …)`. The system closes them when it shuts down. */
  readonly pools?: Readonly<Record<string, TaskPool>>;
  /** The persistence actor (sole writer) actors read and commit through. The system closes it last when it shuts down. */
  readonly persistence?: StatePort;
  /**
   * Who owns entities when several processes share one store
   * (`steward/cluster`): each actor's entity is claimed before it activates,
   * its writes carry the claim's fence, and it is released when the actor
   * stops. Default: this process owns every actor it runs. A port with
   * `forward` also routes each message for an entity this process does not
   * hold to wherever it is owned, from refs and `ctx.ref` alike.
   */
  readonly ownership?: OwnershipPort;
  /**
   * Actor types this system knows by name from the start, before it made a
   * ref to them: the ones messages forwarded from other nodes may target.
   * (`reminders.actors` are known too.)
   */
  readonly actors?: readonly ActorDefinition[];
  /**
   * What carries a message from outside the system (through a ref from
   * {@link ActorSystem.ref}) to its actor. Default: it arrives at once. The
   * simulator holds such messages in transit, so that a request or a webhook
   * can arrive after work that started later.
   */
  readonly inbound?: InboundTransit;
  /** Told of each error a `system.events` listener throws; the runtime goes on regardless. Default: the logger's warn, else a process warning. */
  readonly onListenerError?: ListenerErrorHandler;
  /**
   * Where steward's own messages go (crashes, restarts, dead letters,
   * overflows, failed tasks, a lost store, failing listeners): a
   * pino-compatible logger, given `child({ component: 'steward' })`. Lines
   * carry ids, message types and codes, never payloads. Default: none.
   */
  readonly logger?: Logger;
  /**
   * Time every turn and every commit into the histograms of
   * `system.metrics()` (two clock readings each). Default false: the
   * histograms stay empty, unless read from the diagnostics channels.
   */
  readonly recordTimings?: boolean;
  /** The simulator's seam (steward/sim sets it): the system hands it the controls only a simulation uses. */
  readonly simulation?: SimulationHooks;
  /**
   * Start the reminder service with the system, so reminders that fell due
   * while the process was down fire now. Without it, the service starts at
   * the first `ctx.remind`.
   */
  readonly reminders?: ReminderOptions;
}

/**
 * Carries one message from outside the system toward the actor `to`
 * (`type/key`); calling `deliver` (once) hands it to the mailbox.
 * `abandoned()` turns true once the message is an ask whose caller stopped
 * waiting (timed out or aborted): the mailbox would drop it untaken, so a
 * transit may drop it instead of delivering it.
 *
 * @example
 * ```ts
 * const held: Array<() => void> = [];
 * new ActorSystem({ inbound: (_to, _type, deliver) => held.push(deliver) }); // arrives when the test says
 * ```
 */
export type InboundTransit = (to: string, messageType: string, deliver: () => void, abandoned: () => boolean) => void;

/**
 * Options of {@link ActorSystem.shutdown}.
 *
 * @example
 * ```ts
 * process.once('SIGTERM', () => void system.shutdown({ deadlineMs: 10_000 }));
 * ```
 */
export interface ShutdownOptions {
  /** Time allowed for mailboxes to drain and stop hooks to run. Default 5,000 ms. */
  readonly deadlineMs?: number;
}

/**
 * What a shutdown did.
 *
 * @example
 * ```ts
 * const { stopped, abandoned, timedOut } = await system.shutdown({ deadlineMs: 10_000 });
 * ```
 */
export interface ShutdownReport {
  /** Actors stopped by the shutdown. */
  readonly stopped: number;
  /** Messages that were still queued at the deadline and became dead letters. */
  readonly abandoned: number;
  /** True if the deadline passed before every mailbox drained. */
  readonly timedOut: boolean;
}
