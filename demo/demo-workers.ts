/**
 * The worker registry in the demo: two media workers race to register (one
 * is admitted, the other refused with the holder's id), a thumbnailer of
 * another build starts too, and the registry reports the version drift. All
 * of them deregister when the demo ends, so the next run starts clean.
 */
import { hostname } from 'node:os';
import { createWorkerRegistry, detectVersion, type VersionInfo, type WorkerRegistryDefinition } from '../src/actors/jobs/index.js';
import type { ActorRef, ActorSystem } from '../src/index.js';

/** What the showcase left running, and how to end it. */
export interface DemoWorkers {
  readonly registry: ActorRef<WorkerRegistryDefinition>;
  /** Deregisters the admitted workers. */
  stop(): Promise<void>;
}

/** Registers the workers, printing each outcome through `note`. */
export async function startDemoWorkers(system: ActorSystem, note: (line: string) => void): Promise<DemoWorkers> {
  const { WorkerRegistry, events } = createWorkerRegistry();
  const registry = system.ref(WorkerRegistry, 'demo');
  events.on('version-drift', ({ versions }) => note(`workers: version drift reported, RUNNING ${versions.join(' and ')}`));
  const current = detectVersion();
  const older: VersionInfo = { ...current, version: `${current.version}-previous`.slice(0, 100) };
  const register = (workerType: string, pid: number, version: VersionInfo) =>
    registry.ask('register', { workerType, hostname: hostname(), pid, version }).then(
      async (worker) => (await registry.ask('running', { workerId: worker.id })).id,
      (error: { code?: string; message?: string }) => {
        note(`workers: a second '${workerType}' worker (pid ${pid}) was refused: ${error.code ?? 'error'}`);
        return undefined;
      },
    );
  const raced = await Promise.all([register('media', process.pid, current), register('media', process.pid + 1, current)]);
  const thumbnailer = await register('thumbnailer', process.pid + 2, older);
  const admitted = [...raced, thumbnailer].filter((id): id is string => id !== undefined);
  note(`workers: ${admitted.length} admitted (${admitted.join(', ')})`);
  return {
    registry,
    stop: async () => {
      for (const workerId of admitted) await registry.ask('deregister', { workerId }).catch(() => undefined);
    },
  };
}
