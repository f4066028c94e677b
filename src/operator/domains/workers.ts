/**
 * The worker registry on the operator surface: every worker not yet STOPPED
 * with its version, and the alerts the registry exists to prevent (more than
 * one active worker of a type, more than one version RUNNING).
 */
import type { ActorRef } from '../../index.js';
import { RegistryStateSchema, WORKER_REGISTRIES, type WorkerRegistryDefinition } from '../../actors/jobs/index.js';
import type { Cell, DomainAction, OperatorDomain } from '../domain.js';

/**
 * Options of {@link workersDomain}.
 *
 * @example
 * ```ts
 * const { WorkerRegistry } = createWorkerRegistry();
 * workersDomain({ registry: system.ref(WorkerRegistry, 'default') }); // offers the `deregister` action
 * ```
 */
export interface WorkersDomainOptions {
  /** The registry actor: given, the dashboard may offer `deregister <workerId>` (when actions are enabled). */
  readonly registry?: ActorRef<WorkerRegistryDefinition>;
}

/**
 * Workers and versions per deployment, with drift and multiple-active alerts.
 *
 * @example
 * ```ts
 * const view = await workersDomain().read(persistence, { now: system.clock.now() });
 * console.log(view.counts, view.alerts);
 * ```
 */
export function workersDomain(options: WorkersDomainOptions = {}): OperatorDomain {
  const registry = options.registry;
  const deregister: DomainAction | undefined = registry
    ? async (target) => {
        await registry.ask('deregister', { workerId: target });
        return `worker ${target} deregistered`;
      }
    : undefined;
  return {
    name: 'workers',
    title: 'Workers and versions',
    ...(deregister ? { actions: { deregister } } : {}),
    read: async (reader, { now }) => {
      const rows: Cell[][] = [];
      const alerts: string[] = [];
      const counts: Record<string, number> = { active: 0, stopping: 0, versions: 0 };
      const versions = new Set<string>();
      for (const record of await reader.query(WORKER_REGISTRIES)) {
        const state = RegistryStateSchema.safeParse(record.value);
        if (!state.success) {
          alerts.push(`registry ${record.key} is not a valid registry state`);
          continue;
        }
        const activeByType = new Map<string, string[]>();
        const running = new Set<string>();
        for (const worker of Object.values(state.data.workers)) {
          const active = worker.status === 'STARTING' || worker.status === 'RUNNING';
          if (active) activeByType.set(worker.workerType, [...(activeByType.get(worker.workerType) ?? []), worker.id]);
          if (worker.status === 'RUNNING') running.add(worker.version.version);
          versions.add(worker.version.version);
          counts[active ? 'active' : 'stopping'] = (counts[active ? 'active' : 'stopping'] ?? 0) + 1;
          const silentS = Math.max(0, Math.round((now - worker.lastHeartbeatAt) / 1000));
          rows.push([record.key, worker.workerType, worker.id, worker.status, `${worker.hostname}:${worker.pid}`, worker.version.version, worker.version.nodeVersion, `${silentS}s`]);
        }
        for (const [type, ids] of activeByType) if (ids.length > 1) alerts.push(`ALERT ${record.key}: ${ids.length} active '${type}' workers (${ids.join(', ')})`);
        if (running.size > 1) alerts.push(`version drift in ${record.key}: ${running.size} versions RUNNING (${[...running].sort().join(', ')})`);
      }
      counts.versions = versions.size;
      const columns = ['deployment', 'type', 'worker', 'status', 'host:pid', 'version', 'node', 'last heartbeat'];
      return { counts, tables: [{ title: 'workers', columns, rows }], alerts };
    },
  };
}
