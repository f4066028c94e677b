/**
 * The registry's race scenarios for the simulator: workers registering at
 * once (retrying as real clients do), and a worker hung in STOPPING, under
 * actor and whole-system crashes, failed commits, duplicated and delayed
 * messages. After every step: at most one STARTING or RUNNING worker per
 * type in the durable store, at most one admitted worker that the store
 * still has active, and no admitted worker missing from the store.
 */
import type { ActorRef } from '../../../index.js';
import { defineScenario, type FaultKind, type Scenario, type SimulationWorld } from '../../../runtime/simulator/index.js';
import { createWorkerRegistry, WORKER_REGISTRIES, WORKERS, type WorkerRegistryDefinition } from '../registry/registry-actor.js';
import { holdsType } from '../registry/registry-state.js';
import type { RegistryState, VersionInfo, WorkerInstance } from '../registry/schemas.js';

const DEPLOYMENT = 'default';
const TYPE = 'media';
const VERSION: VersionInfo = { version: 'v1', source: 'build-id', nodeVersion: 'v20.0.0', platform: 'linux', arch: 'x64' };
/** Times a client retries a registration whose answer it did not get. */
const ATTEMPTS = 6;

/** What each simulated worker process believes. Outside the system: it survives a whole-system crash. */
export interface Belief {
  readonly pid: number;
  admitted: string | undefined;
  refusedBy: string | undefined;
}

interface RegistryCtx {
  readonly registry: ActorRef<WorkerRegistryDefinition>;
  readonly beliefs: readonly Belief[];
}

function durable(world: SimulationWorld): RegistryState | undefined {
  return world.store.read<RegistryState>(WORKER_REGISTRIES, DEPLOYMENT)?.value;
}

/** The registry invariants, shared by the actor scenarios and their naive counterparts' tests. */
export function registryViolations(active: readonly WorkerInstance[], onRecord: (id: string) => boolean, beliefs: readonly Belief[]): string | true {
  const holders = active.filter((worker) => worker.workerType === TYPE && holdsType(worker.status));
  if (holders.length > 1) return `${holders.length} active ${TYPE} workers: ${holders.map((w) => w.id).join(', ')}`;
  const believers = beliefs.filter((belief) => belief.admitted !== undefined);
  const lost = believers.filter((belief) => !onRecord(belief.admitted as string));
  if (lost.length > 0) return `admitted but not on record: ${lost.map((b) => b.admitted).join(', ')}`;
  const activeBelievers = believers.filter((belief) => holders.some((worker) => worker.id === belief.admitted));
  return activeBelievers.length <= 1 || `${activeBelievers.length} workers believe they hold ${TYPE}`;
}

async function register(registry: ActorRef<WorkerRegistryDefinition>, belief: Belief): Promise<void> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const worker = await registry.ask('register', { workerType: TYPE, hostname: 'host-a', pid: belief.pid, version: VERSION });
      belief.admitted = worker.id;
      return;
    } catch (error) {
      const { code, active } = error as { code?: string; active?: { id: string } };
      if (code === 'ERR_WORKER_ACTIVE') {
        belief.refusedBy = active?.id;
        return;
      }
      // timed out, failed commit, restarting registry: a real client tries again
    }
  }
}

interface RegistryScenarioOptions {
  readonly name: string;
  readonly workers: number;
  /** Seed a worker hung in STOPPING since time 0. */
  readonly hungStopping?: boolean;
  readonly faults: readonly FaultKind[];
}

function registryScenario(options: RegistryScenarioOptions): Scenario<RegistryCtx> {
  let made: ReturnType<typeof createWorkerRegistry>;
  let beliefs: Belief[];
  return defineScenario<RegistryCtx>({
    name: options.name,
    maxSteps: 200,
    faults: options.faults,
    eventuallyWithinMs: 150_000,
    init: async (world) => {
      made = createWorkerRegistry({ staleAfterMs: 30_000, stoppingTimeoutMs: 60_000 });
      beliefs = Array.from({ length: options.workers }, (_, i) => ({ pid: 100 + i, admitted: undefined, refusedBy: undefined }));
      if (options.hungStopping) {
        const hung: WorkerInstance = {
          id: 'worker-hung',
          workerType: TYPE,
          status: 'STOPPING',
          hostname: 'host-a',
          pid: 99,
          version: VERSION,
          startedAt: 0,
          lastHeartbeatAt: 0,
          stoppingSince: 0,
          stoppedAt: null,
          stopReason: null,
        };
        await world.store.commit([
          { op: 'put', collection: WORKER_REGISTRIES, key: DEPLOYMENT, value: { workers: { [hung.id]: hung }, drift: [] } },
          { op: 'put', collection: WORKERS, key: `${DEPLOYMENT}/${hung.id}`, value: hung },
        ]);
      }
    },
    setup: (world) => ({ registry: world.system.ref(made.WorkerRegistry, DEPLOYMENT), beliefs }),
    // A restarted service touches its registry, which re-arms its expiry timer.
    recover: ({ registry }) => void registry.ask('list', {}).catch(() => undefined),
    actions: [
      ...Array.from({ length: options.workers }, (_, i) => ({
        name: `worker ${100 + i} registers`,
        run: ({ registry, beliefs: all }: RegistryCtx) => register(registry, all[i] as Belief),
      })),
      ...(options.hungStopping ? [{ name: 'the service lists workers', run: ({ registry }: RegistryCtx) => registry.ask('list', {}).catch(() => undefined) }] : []),
    ],
    invariants: {
      'one worker per type': ({ beliefs: all }, world) => {
        const state = durable(world);
        return registryViolations(Object.values(state?.workers ?? {}), (id) => world.store.read(WORKERS, `${DEPLOYMENT}/${id}`) !== undefined, all);
      },
      'live state agrees': ({ registry }, world) => {
        const live = world.peek(registry);
        const holders = Object.values(live?.workers ?? {}).filter((worker) => holdsType(worker.status));
        return holders.length <= 1 || `live registry holds ${holders.length} active workers`;
      },
    },
    eventually: options.hungStopping
      ? {
          'the hung STOPPING worker is STOPPED': (_ctx, world) =>
            world.store.read<WorkerInstance>(WORKERS, `${DEPLOYMENT}/worker-hung`)?.value.status === 'STOPPED',
        }
      : {},
  });
}

const CRASHES: readonly FaultKind[] = ['crash-actor', 'fail-commit', 'crash-system', 'duplicate-action', 'delay-message'];

/**
 * The registry scenarios, by name.
 *
 * @example
 * ```ts
 * for (const scenario of REGISTRY_SCENARIOS) await expectNoViolations(scenario, { schedules: 10_000 });
 * ```
 */
export const REGISTRY_SCENARIOS = [
  registryScenario({ name: 'registry-race', workers: 3, faults: CRASHES }),
  registryScenario({ name: 'registry-hung-stopping', workers: 2, hungStopping: true, faults: CRASHES }),
] as const;
