/**
 * The registry's own typed event bus (mitt). Events carry ids, statuses and
 * versions, never request payloads. A throwing listener changes nothing: the
 * registry has already committed by the time it publishes.
 */
import mittModule, { type Emitter } from 'mitt';
import type { WorkerStatus, WorkerStopReason } from './schemas.js';

/**
 * Events of a worker registry.
 *
 * @example
 * ```ts
 * const registry = createWorkerRegistry();
 * registry.events.on('version-drift', ({ deployment, versions }) => log.warn(`${deployment} runs ${versions.join(' and ')}`));
 * ```
 */
export type RegistryEvents = {
  'worker.registered': { readonly deployment: string; readonly workerId: string; readonly workerType: string; readonly pid: number; readonly version: string };
  'worker.refused': { readonly deployment: string; readonly workerType: string; readonly activeId: string; readonly code: 'ERR_WORKER_ACTIVE' };
  'worker.changed': {
    readonly deployment: string;
    readonly workerId: string;
    readonly workerType: string;
    readonly status: WorkerStatus;
    readonly stopReason: WorkerStopReason | null;
  };
  /** More than one version is RUNNING in the deployment (announced again only when the set changes). */
  'version-drift': {
    readonly deployment: string;
    readonly versions: readonly string[];
    readonly workers: readonly { readonly workerId: string; readonly workerType: string; readonly version: string }[];
  };
  /** Back to one version (or none) RUNNING after a drift. */
  'version-converged': { readonly deployment: string; readonly versions: readonly string[] };
};

/**
 * The typed emitter of a registry.
 *
 * @example
 * ```ts
 * const { events } = createWorkerRegistry();
 * const bus: RegistryEventBus = events;
 * bus.on('worker.changed', ({ workerId, status, stopReason }) => log.info({ workerId, stopReason }, status));
 * ```
 */
export type RegistryEventBus = Emitter<RegistryEvents>;

// mitt ships ESM at run time but CommonJS-flavoured typings, which NodeNext reads as a namespace.
const mitt = mittModule as unknown as typeof mittModule.default;

/** A new registry bus. @internal */
export function createRegistryEvents(): RegistryEventBus {
  return mitt<RegistryEvents>();
}

/** Calls every listener of `type`, each guarded: one throwing listener neither reaches the actor nor silences the others. @internal */
export function publish<K extends keyof RegistryEvents>(bus: RegistryEventBus, type: K, event: RegistryEvents[K]): void {
  for (const listener of [...(bus.all.get(type) ?? [])]) guarded(() => (listener as (event: RegistryEvents[K]) => void)(event));
  for (const listener of [...(bus.all.get('*') ?? [])]) guarded(() => (listener as (type: K, event: RegistryEvents[K]) => void)(type, event));
}

function guarded(call: () => void): void {
  try {
    call();
  } catch {
    // Observers cannot change what the registry did: its commit is already durable.
  }
}
