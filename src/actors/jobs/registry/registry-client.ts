/**
 * How a worker reaches its registry: the same five calls whether the
 * registry actor is in this process or in the service process across HTTP.
 */
import type { ActorRef } from '../../../index.js';
import type { WorkerRegistryDefinition } from './registry-actor.js';
import type { RegisterRequest, WorkerInstance } from './schemas.js';

/**
 * A registry as a worker sees it. Refusals arrive as `ERR_WORKER_ACTIVE` and
 * `ERR_WORKER_STOPPED`; an unreachable registry as `ERR_REGISTRY_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import os from 'node:os';
 * const client: RegistryClient = httpRegistryClient('http://127.0.0.1:8080/registry');
 * const worker = await client.register({ workerType: 'media', hostname: os.hostname(), pid: process.pid, version: detectVersion() });
 * ```
 */
export interface RegistryClient {
  register(request: RegisterRequest): Promise<WorkerInstance>;
  running(workerId: string): Promise<WorkerInstance>;
  heartbeat(workerId: string): Promise<WorkerInstance>;
  stopping(workerId: string): Promise<WorkerInstance>;
  deregister(workerId: string): Promise<WorkerInstance>;
  list(): Promise<WorkerInstance[]>;
}

/**
 * A client for a registry actor in this process.
 *
 * @example
 * ```ts
 * const { WorkerRegistry } = createWorkerRegistry();
 * const client = localRegistryClient(system.ref(WorkerRegistry, 'default'));
 * ```
 */
export function localRegistryClient(registry: ActorRef<WorkerRegistryDefinition>): RegistryClient {
  return {
    register: (request) => registry.ask('register', request),
    running: (workerId) => registry.ask('running', { workerId }),
    heartbeat: (workerId) => registry.ask('heartbeat', { workerId }),
    stopping: (workerId) => registry.ask('stopping', { workerId }),
    deregister: (workerId) => registry.ask('deregister', { workerId }),
    list: () => registry.ask('list', {}),
  };
}
