import type { ActorRef, RefOptions } from './actor-ref.js';
import type { ActorCell } from './actor-cell.js';
import type { Clock } from './clock.js';
import type { ActorDefinition, StopReason } from './define-actor.js';
import type { Envelope, UserEnvelope } from './envelope.js';
import type { DeadLetterReason, RuntimeEventBus } from './events.js';
import type { OwnershipPort, StatePort, TaskPoolPort } from './ports/index.js';
import type { SystemInstruments } from './instruments.js';
import type { Random } from './random.js';
import type { TurnScheduler } from './scheduler.js';

/**
 * What a cell needs from its system. Methods, not getters: an object
 * literal's getter pair is allocated in V8's old space, and pointing from
 * there into the system constructor's closure context kept every short-lived
 * system alive until a full GC.
 * @internal
 */
export interface CellHost {
  readonly clock: Clock;
  readonly random: Random;
  readonly scheduler: TurnScheduler;
  readonly events: RuntimeEventBus;
  readonly messagesPerTurn: number;
  /** How long a stop waits for the turn in hand before `onStop` runs anyway. */
  readonly stopWaitMs: number;
  /** Claims each actor's entity before it activates (several processes on one store); absent: this process owns them all. */
  readonly ownership: OwnershipPort | undefined;
  /** What the system observes of itself: a turn is timed only while `timings` is on or the turn channel has subscribers. */
  readonly instruments: SystemInstruments;
  /** True once system shutdown has begun. */
  shuttingDown(): boolean;
  ref<TDef extends ActorDefinition>(definition: TDef, key: string, options?: RefOptions): ActorRef<TDef>;
  /** The pool registered under `name`; throws `ERR_INVALID_CONFIG` if there is none. */
  pool(name: string): TaskPoolPort;
  /** The state port; throws `ERR_INVALID_CONFIG` if the system has none. */
  persistence(): StatePort;
  /** Whether `collection` holds the state records of an actor type this system knows. */
  isStateCollection(collection: string): boolean;
  /** A committed turn set a reminder due at `earliestDue`: the reminder service may need to wake. */
  remindersChanged(earliestDue: number): void;
  deadLetter(cell: ActorCell, envelope: UserEnvelope, reason: DeadLetterReason): void;
  /** Takes the cell out of service (tombstoned unless passivated) and stops it. */
  stop(cell: ActorCell, reason: StopReason): Promise<void>;
  /** The cell's claim on its entity was refused: it passivates, its queued messages go where the entity is owned. */
  lostEntity(cell: ActorCell): Promise<void>;
  /** The cell's fence no longer stands by this process's clock as the turn of `envelope` would begin: that turn does not run; it passivates, and the message goes first where the entity is owned. */
  leaseOutlived(cell: ActorCell, envelope: Envelope): Promise<void>;
  /** The cell has stopped: its hooks ran, its mailbox is empty. */
  stopped(cell: ActorCell, reason: StopReason): void;
  watch(watcher: ActorRef<ActorDefinition>, target: ActorRef<ActorDefinition>): void;
  unwatch(watcher: ActorRef<ActorDefinition>, target: ActorRef<ActorDefinition>): void;
}
