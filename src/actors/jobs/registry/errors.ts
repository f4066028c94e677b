/**
 * The registry's refusals and its transport failure, each with a stable code.
 */
import { RefusalError, StewardError, type StewardErrorOptions } from '../../../index.js';
import type { VersionInfo, WorkerStatus } from './schemas.js';

/**
 * The worker that holds a type, as a refusal names it.
 *
 * @example
 * ```ts
 * declare const error: WorkerActiveError;
 * const { id, hostname, pid, version, since }: ActiveWorker = error.active;
 * ```
 */
export interface ActiveWorker {
  readonly id: string;
  readonly workerType: string;
  readonly status: WorkerStatus;
  readonly hostname: string;
  readonly pid: number;
  readonly version: VersionInfo;
  /** When it registered (ms since the epoch). */
  readonly since: number;
}

/**
 * A second worker of a type asked to register while one is STARTING or
 * RUNNING; `active` names that one. Nothing was changed.
 *
 * @example
 * ```ts
 * declare const registry: ActorRef<WorkerRegistryDefinition>;
 * const request: RegisterRequest = { workerType: 'media', hostname: 'box-1', pid: process.pid, version: detectVersion() };
 * await registry.ask('register', request).catch((error: unknown) => {
 *   if (error instanceof WorkerActiveError) console.error(`media is taken by ${error.active.id} (pid ${error.active.pid})`);
 * });
 * ```
 */
export class WorkerActiveError extends RefusalError {
  readonly code = 'ERR_WORKER_ACTIVE' as const;
  override readonly name = 'WorkerActiveError';
  constructor(
    readonly active: ActiveWorker,
    options: StewardErrorOptions = {},
  ) {
    super(
      `worker type '${active.workerType}' is taken by ${active.id} (${active.status}, host ${active.hostname}, pid ${active.pid}, version ${active.version.version}, since ${new Date(active.since).toISOString()})`,
      options,
    );
  }
}

/**
 * The worker is STOPPED (it deregistered, went stale, or hung in STOPPING)
 * or was never registered: a heartbeat or state change from it is refused,
 * so a frozen worker that wakes up cannot act as the active one.
 *
 * @example
 * ```ts
 * declare const registry: ActorRef<WorkerRegistryDefinition>;
 * declare const workerId: string;
 * declare function stopDispatching(): void;
 * await registry.ask('heartbeat', { workerId }).catch((error: unknown) => {
 *   if (error instanceof WorkerStoppedError) stopDispatching(); // a successor may own the type now
 * });
 * ```
 */
export class WorkerStoppedError extends RefusalError {
  readonly code = 'ERR_WORKER_STOPPED' as const;
  override readonly name = 'WorkerStoppedError';
}

/**
 * The registry could not be reached or answered with something unexpected
 * (network error, timeout, 5xx, a body that fails its schema).
 *
 * @example
 * ```ts
 * declare const client: RegistryClient;
 * declare const workerId: string;
 * declare function retryLater(): void;
 * await client.heartbeat(workerId).catch((error: unknown) => {
 *   if (error instanceof RegistryUnavailableError) retryLater();
 * });
 * ```
 */
export class RegistryUnavailableError extends StewardError {
  readonly code = 'ERR_REGISTRY_UNAVAILABLE' as const;
  override readonly name = 'RegistryUnavailableError';
}
