/**
 * The actor runtime. Glossary (one word per meaning):
 * - **stop**: take an actor out of service (`ctx.stop()`, `system.stop(ref)`,
 *   the supervisor, passivation, shutdown); it has **stopped** once the turn
 *   in hand finished and `onStop` ran. A stop is **final** unless its reason
 *   is `passivated`; `system.revive(ref)` lifts a final stop.
 * - **passivate**: the non-final stop of an **idle** actor.
 * - **idle**: running, nothing queued or in hand, nothing piped, no task or
 *   timer pending (what passivation and the live-actor cap look for).
 * - **drained**: nothing queued and no turn in hand (what shutdown waits for).
 * - **incarnation**: one (re)load of an actor's state; a restart begins a new
 *   one, and work of an earlier one (timer ticks, late saves) cannot touch it.
 * - **turn**: the handling of one message (its promise included).
 * - **self lane**: where an actor's own outcomes, progress and timer ticks
 *   queue; no capacity or overflow policy touches it.
 * - **ports** (`./ports`): what the runtime needs from the world (clock,
 *   random, scheduler, state, task pools); other layers implement them.
 */
export { ActorSystem } from './actor-system.js';
export type { ActorSystemOptions, InboundTransit, ShutdownOptions, ShutdownReport } from './actor-system-options.js';
export { ActorRef } from './actor-ref.js';
export type { AskOptions, RefOptions } from './actor-ref.js';
export type { ActorContext, ActorStatePort, Outcome, PersistencePort, StartTaskOptions, TaskHandle, TimerOptions } from './actor-context.js';
export type { SimulationControl, SimulationHooks } from './simulation-hooks.js';
export type { CommitResult, QueryOptions, StatePort, StateReader, StoredRecord, TaskDescriptor, TaskPoolIncident, TaskPoolPort, TaskPoolStats, WriteOp } from './ports/index.js';
export type { CommitOptions, Fence, OwnershipControl, OwnershipPort, RoutedMessage, RoutedReply } from './ports/index.js';
export { defineActor } from './define-actor.js';
export type {
  ActorDefinition,
  ActorSpec,
  Handlers,
  LifecycleHooks,
  StopInfo,
  MessageOf,
  MessageSchemas,
  MessageTypeOf,
  PassivationOptions,
  PayloadOf,
  ReplyOf,
  StateOf,
  StopReason,
} from './define-actor.js';
export type { SupervisionOptions, SupervisionStrategy } from './supervision.js';
export type { ActorAddress, DeadLetterReason, ListenerErrorHandler, RuntimeEventBus, RuntimeEvents, TerminatedNotice } from './events.js';
export { COMMIT_CHANNEL, runtimeChannelName, TURN_CHANNEL } from './diagnostics.js';
export type { CommitMessage, TurnMessage } from './diagnostics.js';
export type { Logger } from './logger.js';
export type { EventCounts } from './instruments.js';
export type { PoolMetrics, SystemMetrics } from './system-metrics.js';
export type { HistogramSnapshot } from './histogram.js';
export { TIMING_BUCKETS_MS } from './histogram.js';
export { realClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { VirtualClock } from './virtual-clock.js';
export { realRandom, SeededRandom } from './random.js';
export type { Random } from './random.js';
export { fairScheduler, microtaskScheduler } from './scheduler.js';
export type { FairSchedulerOptions, TurnScheduler } from './scheduler.js';
export { REMINDERS_COLLECTION, reminderFiring, reminderKey } from './reminders/reminder-record.js';
export type { ReminderInfo, ReminderSchedule } from './reminders/reminder-record.js';
export type { ReminderOptions } from './reminders/reminder-service.js';
export type { ReminderMessage } from './reminders/actor-reminders.js';
export { ownedKey } from './records/owned-records.js';
export type { OwnedRecords } from './records/owned-records.js';
