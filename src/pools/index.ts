/** Task pools: heavy work off the actors' thread, behind one {@link TaskPool} interface. */
export { defineTask } from './task.js';
export type {
  AnyTaskDefinition,
  ClosePoolOptions,
  DefineTaskOptions,
  RunTaskOptions,
  TaskChannel,
  TaskDefinition,
  TaskFunction,
  TaskInputOf,
  TaskPool,
  TaskProgressOf,
  TaskResultOf,
  TaskReceiver,
  TaskSignal,
  AbortListener,
} from './task.js';
export { PiscinaPool } from './piscina-pool.js';
export { DEFAULT_RECYCLE_GRACE_MS } from './thread-ledger.js';
export type { PiscinaPoolOptions, PoolResourceLimits } from './piscina-pool.js';
export { InProcessPool } from './in-process-pool.js';
export type { InProcessPoolOptions, TaskGate, TaskStep } from './in-process-pool.js';
export {
  ChannelClosedError,
  InvalidTaskInputError,
  InvalidTaskResultError,
  PoolClosedError,
  PoolFullError,
  PoolThreadError,
  TaskAbortedError,
  TaskCrashedError,
  TaskFailedError,
  TaskModuleError,
  TaskTimeoutError,
  ThreadRecycledError,
} from './errors.js';
export type { PoolIncident, TaskCrashedErrorOptions, TaskModuleErrorOptions, TaskRunError } from './errors.js';
export { DEFAULT_CLOSE_DEADLINE_MS, DEFAULT_MAX_QUEUE, DEFAULT_TIMEOUT_MS, POOL_TASK_CHANNEL } from './dispatcher.js';
