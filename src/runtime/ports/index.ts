/**
 * The ports the runtime owns: the small interfaces it needs from the world
 * (time, randomness, turn scheduling, state, task pools) and their real
 * bindings. `steward/persistence` and `steward/pools` implement them and
 * import only this module; the simulator binds virtual ones. Everything this
 * module reaches is a leaf: it imports nothing else of steward (checked by
 * test/runtime/import-graph.test.ts).
 */
export type { Clock, TimerHandle } from '../clock.js';
export { realClock } from '../clock.js';
export type { Random } from '../random.js';
export { realRandom } from '../random.js';
export type { TurnScheduler } from '../scheduler.js';
export { nextMicrotask } from '../microtask.js';
export { Deadlines } from '../deadlines.js';
export type { Deadline } from '../deadlines.js';
export { StopSignal } from './stop-signal.js';
export type { AbortListener, RunTaskOptions, TaskDescriptor, TaskPoolIncident, TaskPoolPort, TaskPoolStats, TaskReceiver, TaskSignal } from './task-pool.js';
export type { CommitResult, IndexPage, IndexQuery, IndexSpec, IndexValue, QueryOptions, RevisionEntry, StatePort, StateReader, StoredRecord, WriteOp } from './state.js';
export { revisionOf } from './state.js';
export type { CommitOptions, Fence, OwnershipControl, OwnershipPort, RoutedMessage, RoutedReply } from './ownership.js';
