/**
 * The worker registry's data as zod schemas: a worker instance, its version
 * metadata, the registry actor's persisted state and every request a worker
 * sends. Types are inferred from them; the HTTP surface and the actor parse
 * with the same schemas.
 */
import { z } from 'zod';

/**
 * A worker type: what a worker does (`media`, `cookie-rotator`). At most one
 * STARTING or RUNNING worker per type and deployment.
 *
 * @example
 * ```ts
 * WorkerTypeSchema.parse('media'); // ok; 'media/../x' is refused
 * ```
 */
export const WorkerTypeSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'worker types are 1-64 characters: letters, digits, _ . - (not first)');

/**
 * Ids the registry hands out and deployments it keys by: short and printable.
 *
 * @example
 * ```ts
 * WorkerIdSchema.parse('worker-1-0a1b2c3d');
 * ```
 */
export const WorkerIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'ids are 1-128 characters: letters, digits, _ . : -');

/**
 * Where a worker stands. STOPPING frees its type for a successor; STOPPED is final.
 *
 * @example
 * ```ts
 * declare const worker: WorkerInstance;
 * const active = WorkerStatusSchema.extract(['STARTING', 'RUNNING']).safeParse(worker.status).success;
 * ```
 */
export const WorkerStatusSchema = z.enum(['STARTING', 'RUNNING', 'STOPPING', 'STOPPED']);
export type WorkerStatus = z.infer<typeof WorkerStatusSchema>;

/**
 * Why a worker is STOPPED: it said so, it went silent past the stale bound,
 * or it stayed STOPPING past the STOPPING bound.
 *
 * @example
 * ```ts
 * declare const worker: WorkerInstance;
 * if (worker.stopReason === 'stale') log.warn(`${worker.id} on ${worker.hostname} went silent`);
 * ```
 */
export const StopReasonSchema = z.enum(['deregistered', 'stale', 'stopping-timeout']);
export type WorkerStopReason = z.infer<typeof StopReasonSchema>;

/**
 * What build a worker runs: `version` (a git SHA, else `BUILD_ID`, else
 * `build-<timestamp>`), where it came from, and the runtime it runs on.
 *
 * @example
 * ```ts
 * VersionInfoSchema.parse({ version: 'a1b2c3d', source: 'git', nodeVersion: 'v20.19.0', platform: 'linux', arch: 'x64' });
 * ```
 */
export const VersionInfoSchema = z.strictObject({
  version: z.string().regex(/^[A-Za-z0-9_.:+-]{1,100}$/, 'versions are 1-100 characters: letters, digits, _ . : + -'),
  source: z.enum(['git', 'build-id', 'timestamp']),
  nodeVersion: z.string().min(1).max(40),
  platform: z.string().min(1).max(40),
  arch: z.string().min(1).max(40),
});
export type VersionInfo = z.infer<typeof VersionInfoSchema>;

const hostname = z.string().regex(/^[^\u0000-\u001f]{1,255}$/, 'hostnames are 1-255 characters without control characters');
const pid = z.number().int().min(1).max(2 ** 31 - 1);
const time = z.number().int().min(0);

/**
 * One registered worker process, as the registry records it.
 *
 * @example
 * ```ts
 * const [record] = await persistence.query(WORKERS, { limit: 1 });
 * if (record) {
 *   const { id, status, hostname, pid, version, startedAt } = WorkerInstanceSchema.parse(record.value);
 * }
 * ```
 */
export const WorkerInstanceSchema = z.strictObject({
  id: WorkerIdSchema,
  workerType: WorkerTypeSchema,
  status: WorkerStatusSchema,
  hostname,
  pid,
  version: VersionInfoSchema,
  startedAt: time,
  lastHeartbeatAt: time,
  stoppingSince: time.nullable(),
  stoppedAt: time.nullable(),
  stopReason: StopReasonSchema.nullable(),
});
export type WorkerInstance = z.infer<typeof WorkerInstanceSchema>;

/**
 * The registry actor's persisted state: every worker not yet STOPPED (STOPPED
 * ones live on in the `workers` collection only), the version set last
 * announced as drift, so one drift is announced once, and the ids of the
 * STOPPED records kept per worker type, oldest first (absent in a state
 * written before that history was kept: the registry rebuilds it when it
 * activates).
 *
 * @example
 * ```ts
 * const state = RegistryStateSchema.parse((await store.get(WORKER_REGISTRIES, 'default'))?.value);
 * ```
 */
export const RegistryStateSchema = z.strictObject({
  workers: z.record(WorkerIdSchema, WorkerInstanceSchema),
  drift: z.array(z.string()),
  stopped: z.record(WorkerTypeSchema, z.array(WorkerIdSchema)).optional(),
});
export type RegistryState = z.infer<typeof RegistryStateSchema>;

/**
 * A registration: who the worker is and what it runs.
 *
 * @example
 * ```ts
 * import os from 'node:os';
 * declare const registry: ActorRef<WorkerRegistryDefinition>;
 * await registry.ask('register', { workerType: 'media', hostname: os.hostname(), pid: process.pid, version: detectVersion() });
 * ```
 */
export const RegisterRequestSchema = z.strictObject({
  workerType: WorkerTypeSchema,
  hostname,
  pid,
  version: VersionInfoSchema,
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

/**
 * A request about one registered worker (running, heartbeat, stopping, deregister).
 *
 * @example
 * ```ts
 * declare const registry: ActorRef<WorkerRegistryDefinition>;
 * declare const workerId: string;
 * await registry.ask('heartbeat', WorkerRefSchema.parse({ workerId }));
 * ```
 */
export const WorkerRefSchema = z.strictObject({ workerId: WorkerIdSchema });
export type WorkerRefRequest = z.infer<typeof WorkerRefSchema>;

/**
 * The registry actor's messages.
 *
 * @example
 * ```ts
 * declare const registry: ActorRef<WorkerRegistryDefinition>;
 * const request: RegisterRequest = { workerType: 'media', hostname: 'box-1', pid: process.pid, version: detectVersion() };
 * const worker = await registry.ask('register', request); // ERR_WORKER_ACTIVE if its type is taken
 * await registry.ask('running', { workerId: worker.id });
 * ```
 */
export const RegistryMessages = {
  register: RegisterRequestSchema,
  running: WorkerRefSchema,
  heartbeat: WorkerRefSchema,
  stopping: WorkerRefSchema,
  deregister: WorkerRefSchema,
  list: z.strictObject({}),
  sweep: z.strictObject({}),
};
