export { ActorSystem } from './actor-system.js';
export type { ActorSystemOptions, InboundTransit, ShutdownOptions, ShutdownReport } from './actor-system-options.js';
export { ActorRef } from './actor-ref.js';
export type { AskOptions, RefOptions } from './actor-ref.js';
export type { ActorContext, Outcome, PersistencePort, StartTaskOptions, TaskHandle, TimerOptions } from './actor-context.js';
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
export { realClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { VirtualClock } from './virtual-clock.js';
export { realRandom, SeededRandom } from './random.js';
export type { Random } from './random.js';
export { fairScheduler, microtaskScheduler } from './scheduler.js';
export type { FairSchedulerOptions, TurnScheduler } from './scheduler.js';
