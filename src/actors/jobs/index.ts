export { createWorkerRegistry, WORKER_REGISTRIES, WORKERS } from './registry/registry-actor.js';
export type { WorkerRegistry, WorkerRegistryDefinition, WorkerRegistryOptions } from './registry/registry-actor.js';
export { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_KEEP_STOPPED, DEFAULT_STALE_AFTER_MS, DEFAULT_STOPPING_TIMEOUT_MS } from './registry/registry-state.js';
export type { RegistryThresholds } from './registry/registry-state.js';
export type { RegistryEventBus, RegistryEvents } from './registry/events.js';
export { RegistryUnavailableError, WorkerActiveError, WorkerStoppedError } from './registry/errors.js';
export type { ActiveWorker } from './registry/errors.js';
export {
  RegisterRequestSchema,
  RegistryMessages,
  RegistryStateSchema,
  StopReasonSchema,
  VersionInfoSchema,
  WorkerIdSchema,
  WorkerInstanceSchema,
  WorkerRefSchema,
  WorkerStatusSchema,
  WorkerTypeSchema,
} from './registry/schemas.js';
export type { RegisterRequest, RegistryState, VersionInfo, WorkerInstance, WorkerRefRequest, WorkerStatus, WorkerStopReason } from './registry/schemas.js';
export { detectVersion } from './registry/version.js';
export type { DetectVersionOptions } from './registry/version.js';
export { localRegistryClient } from './registry/registry-client.js';
export type { RegistryClient } from './registry/registry-client.js';
export { createRegistryHttpHandler, startRegistryServer } from './registry/http-handler.js';
export type { RegistryHttpHandler, RegistryHttpOptions, RegistryServer } from './registry/http-handler.js';
export { httpRegistryClient } from './registry/http-client.js';
export type { HttpRegistryClientOptions } from './registry/http-client.js';
export { DEFAULT_GRACE_MS, WorkerClient } from './registry/worker-client.js';
export type { WorkerClientOptions, WorkerClientStatus } from './registry/worker-client.js';
export { REGISTRY_SCENARIOS, registryViolations } from './simulation/registry-scenarios.js';
export type { Belief } from './simulation/registry-scenarios.js';
export { defineQueue } from './queue/queue-actor.js';
export type { Queue, QueueDefinition } from './queue/queue-actor.js';
export type { JobContext, JobFunction, JobTaskHandler, QueueOptions, RetentionRule, RetryOptions, ResolvedQueueOptions } from './queue/queue-options.js';
export type { Claim } from './queue/attempt-reports.js';
export { StaleAttemptError } from './queue/errors.js';
export type { QueueEventBus, QueueEvents } from './queue/events.js';
export { JOBS, QUEUES } from './queue/queue-turn.js';
export { defineJobIndexes, JOB_INDEXES, JOBS_BY_FINISH, JOBS_BY_STATUS } from './queue/job-indexes.js';
export { LEASE_EXPIRED, RECOVERED_FROM_RESTART } from './queue/job-records.js';
export { MAX_BULK, queueMessages } from './queue/queue-messages.js';
export type { QueueMessages } from './queue/queue-messages.js';
export { EnqueueOptionsSchema, JobErrorSchema, JobIdSchema, JobSchema, JobStatusSchema, QueueStateSchema } from './queue/schemas.js';
export type { EnqueueOptions, Job, JobError, JobStatus, QueueState } from './queue/schemas.js';
export { QueueUnavailableError } from './queue/errors.js';
export { createQueueHttpHandler, MAX_QUEUE_BODY_BYTES } from './queue/http-handler.js';
export type { QueueHttpHandler } from './queue/http-handler.js';
export { httpQueueConsumer } from './queue/http-consumer.js';
export type { QueueConsumer } from './queue/http-consumer.js';
export { acknowledge, QUEUE_SCENARIOS, queueViolations, sinkCounts, SINK } from './simulation/queue-scenarios.js';
export type { QueueBeliefs } from './simulation/queue-scenarios.js';
export { queueShutdownHooks } from './queue/worker-hooks.js';
export type { QueueShutdownHooks } from './queue/worker-hooks.js';
