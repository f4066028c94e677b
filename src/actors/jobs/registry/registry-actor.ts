/**
 * The registry actor: one per deployment, the only owner of its workers.
 * Every registration, heartbeat and status change is one turn that ends in
 * one commit (the registry state plus each changed worker record), and only
 * then is anyone answered or any event published.
 */
import { defineActor, InvalidConfigError, type ActorContext } from '../../../index.js';
import { WorkerActiveError, WorkerStoppedError, type ActiveWorker } from './errors.js';
import { createRegistryEvents, publish, type RegistryEventBus } from './events.js';
import {
  admit,
  DEFAULT_KEEP_STOPPED,
  DEFAULT_STALE_AFTER_MS,
  DEFAULT_STOPPING_TIMEOUT_MS,
  emptyRegistry,
  expire,
  nextExpiry,
  retainStopped,
  transition,
  withDrift,
  type Change,
  type RegistryThresholds,
  type WorkerRequest,
} from './registry-state.js';
import { RegistryMessages, RegistryStateSchema, type RegistryState, type WorkerInstance } from './schemas.js';
import { indexStopped } from './stopped-history.js';

/** Collection of registry states, one record per deployment. */
export const WORKER_REGISTRIES = 'worker-registries';
/** Collection of worker records, keyed `<deployment>/<workerId>`; STOPPED ones stay here only, the newest `keepStopped` per type. */
export const WORKERS = 'workers';

/**
 * Options of {@link createWorkerRegistry}.
 *
 * @example
 * ```ts
 * createWorkerRegistry({ staleAfterMs: 30_000, stoppingTimeoutMs: 60_000 });
 * ```
 */
export interface WorkerRegistryOptions {
  /** Silence after which a STARTING or RUNNING worker is STOPPED. Default 30,000 ms. */
  readonly staleAfterMs?: number;
  /** Longest STOPPING before a worker is STOPPED. Default 60,000 ms. */
  readonly stoppingTimeoutMs?: number;
  /**
   * STOPPED worker records kept per worker type, the newest by stop time;
   * the turn that stops one more deletes the oldest in its commit. Default
   * {@link DEFAULT_KEEP_STOPPED} (20).
   */
  readonly keepStopped?: number;
  /** The bus to publish on. Default: a new one (see `events` of the result). */
  readonly events?: RegistryEventBus;
  /** Actor type name. Default `worker-registry`. */
  readonly name?: string;
}

type Ctx = ActorContext<RegistryState, typeof RegistryMessages>;

/**
 * A worker registry: its actor definition (one actor per deployment key) and
 * its event bus.
 *
 * @example
 * ```ts
 * const { WorkerRegistry, events } = createWorkerRegistry();
 * const registry = system.ref(WorkerRegistry, 'default');
 * ```
 */
export interface WorkerRegistry {
  readonly WorkerRegistry: WorkerRegistryDefinition;
  readonly events: RegistryEventBus;
  readonly thresholds: RegistryThresholds;
}

/**
 * Makes the registry actor type. Its handlers answer `register` with the
 * new worker (STARTING) or refuse with `ERR_WORKER_ACTIVE` naming the one
 * that holds the type; `running`, `heartbeat`, `stopping` and `deregister`
 * answer with the worker's record or refuse with `ERR_WORKER_STOPPED`;
 * `list` answers with every worker not STOPPED.
 *
 * @example
 * ```ts
 * import os from 'node:os';
 * const { WorkerRegistry, events } = createWorkerRegistry({ staleAfterMs: 30_000 });
 * events.on('version-drift', ({ versions }) => log.warn(`two versions running: ${versions.join(', ')}`));
 * const registry = system.ref(WorkerRegistry, 'default');
 * const worker = await registry.ask('register', { workerType: 'media', hostname: os.hostname(), pid: process.pid, version: detectVersion() });
 * await registry.ask('running', { workerId: worker.id });
 * ```
 */
export function createWorkerRegistry(options: WorkerRegistryOptions = {}): WorkerRegistry {
  const thresholds: RegistryThresholds = {
    staleAfterMs: positive('staleAfterMs', options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS),
    stoppingTimeoutMs: positive('stoppingTimeoutMs', options.stoppingTimeoutMs ?? DEFAULT_STOPPING_TIMEOUT_MS),
  };
  const keepStopped = positive('keepStopped', options.keepStopped ?? DEFAULT_KEEP_STOPPED, 'a positive integer');
  const events = options.events ?? createRegistryEvents();
  return { WorkerRegistry: defineRegistry(options.name ?? 'worker-registry', thresholds, keepStopped, events), events, thresholds };
}

/**
 * The registry actor type made by {@link createWorkerRegistry}.
 *
 * @example
 * ```ts
 * const { WorkerRegistry } = createWorkerRegistry();
 * const registry: ActorRef<WorkerRegistryDefinition> = system.ref(WorkerRegistry, 'default');
 * ```
 */
export type WorkerRegistryDefinition = ReturnType<typeof defineRegistry>;

function defineRegistry(name: string, { staleAfterMs, stoppingTimeoutMs }: RegistryThresholds, keepStopped: number, events: RegistryEventBus) {
  /** When each live registry incarnation started listening, by deployment. */
  const heardSince = new Map<string, number>();
  const thresholdsOf = (ctx: Ctx): RegistryThresholds => ({ staleAfterMs, stoppingTimeoutMs, heardSince: heardSince.get(ctx.key) ?? 0 });

  const armSweep = (ctx: Ctx) => {
    const at = nextExpiry(ctx.state, thresholdsOf(ctx));
    if (at === undefined) ctx.cancelTimer('sweep');
    else ctx.startTimer('sweep', Math.max(0, at - ctx.clock.now()), { type: 'sweep', payload: {} });
  };

  /** Commits a change (with the drift it causes and the STOPPED records it prunes) in one save, then publishes what it did. */
  const commit = async (ctx: Ctx, change: Change): Promise<void> => {
    const history = retainStopped(change.state, change.changed, keepStopped);
    const { state, drift } = withDrift(history.state);
    if (change.changed.length > 0 || drift) {
      ctx.state = state;
      const pruned = new Set(history.pruned);
      await ctx.save([
        ...change.changed.filter((worker) => !pruned.has(worker.id)).map((worker) => ({ op: 'put' as const, collection: WORKERS, key: `${ctx.key}/${worker.id}`, value: worker })),
        ...history.pruned.map((id) => ({ op: 'delete' as const, collection: WORKERS, key: `${ctx.key}/${id}` })),
      ]);
      for (const worker of change.changed) {
        if (worker.status === 'STARTING') continue; // announced as worker.registered
        publish(events, 'worker.changed', { deployment: ctx.key, workerId: worker.id, workerType: worker.workerType, status: worker.status, stopReason: worker.stopReason });
      }
      if (drift === 'drift') {
        const workers = Object.values(state.workers)
          .filter((worker) => worker.status === 'RUNNING')
          .map((worker) => ({ workerId: worker.id, workerType: worker.workerType, version: worker.version.version }));
        publish(events, 'version-drift', { deployment: ctx.key, versions: state.drift, workers });
      } else if (drift === 'converged') {
        publish(events, 'version-converged', { deployment: ctx.key, versions: Object.values(state.workers).filter((w) => w.status === 'RUNNING').map((w) => w.version.version).slice(0, 1) });
      }
    }
    armSweep(ctx);
  };

  const onWorker = (request: WorkerRequest) => async ({ workerId }: { workerId: string }, ctx: Ctx): Promise<WorkerInstance> => {
    const change = transition(ctx.state, workerId, request, ctx.clock.now(), thresholdsOf(ctx));
    await commit(ctx, change);
    if (change.worker) return change.worker;
    // Not live: a deregister of a STOPPED worker is answered with its final record; anything else is refused.
    const final = change.changed.find((worker) => worker.id === workerId) ?? (await ctx.persistence.get<WorkerInstance>(WORKERS, `${ctx.key}/${workerId}`))?.value;
    if (request === 'deregister' && final?.status === 'STOPPED') return final;
    throw new WorkerStoppedError(
      final
        ? `worker ${workerId} (${final.workerType}) is STOPPED (${final.stopReason ?? 'unknown'}): it must register again`
        : `worker ${workerId} is not registered in '${ctx.key}'`,
    );
  };

  return defineActor({
    name,
    messages: RegistryMessages,
    initialState: (_key: string): RegistryState => emptyRegistry(),
    persistence: { collection: WORKER_REGISTRIES, schema: RegistryStateSchema },
    onStart: async (ctx) => {
      heardSince.set(ctx.key, ctx.clock.now());
      if (ctx.state.stopped === undefined) await indexStopped(ctx, WORKERS, keepStopped);
      armSweep(ctx);
    },
    onStop: (ctx) => void heardSince.delete(ctx.key),
    handlers: {
      register: async (request, ctx): Promise<WorkerInstance> => {
        const admission = admit(ctx.state, request, ctx.clock.now(), thresholdsOf(ctx), ctx.random.id('worker'));
        if (!admission.ok) {
          publish(events, 'worker.refused', { deployment: ctx.key, workerType: request.workerType, activeId: admission.active.id, code: 'ERR_WORKER_ACTIVE' });
          throw new WorkerActiveError(activeWorker(admission.active));
        }
        await commit(ctx, admission);
        if (!admission.retried) {
          const { worker } = admission;
          publish(events, 'worker.registered', { deployment: ctx.key, workerId: worker.id, workerType: worker.workerType, pid: worker.pid, version: worker.version.version });
        }
        return admission.worker;
      },
      running: onWorker('running'),
      heartbeat: onWorker('heartbeat'),
      stopping: onWorker('stopping'),
      deregister: onWorker('deregister'),
      list: async (_payload, ctx): Promise<WorkerInstance[]> => {
        await commit(ctx, expire(ctx.state, ctx.clock.now(), thresholdsOf(ctx)));
        return Object.values(ctx.state.workers);
      },
      sweep: async (_payload, ctx): Promise<void> => {
        await commit(ctx, expire(ctx.state, ctx.clock.now(), thresholdsOf(ctx)));
      },
    },
  });
}


/** What a refusal tells about the holder. @internal */
export function activeWorker(worker: WorkerInstance): ActiveWorker {
  return { id: worker.id, workerType: worker.workerType, status: worker.status, hostname: worker.hostname, pid: worker.pid, version: worker.version, since: worker.startedAt };
}

function positive(name: string, value: number, what = 'a positive integer of milliseconds'): number {
  if (!Number.isInteger(value) || value <= 0) throw new InvalidConfigError(`worker registry option ${name} must be ${what}, got ${String(value)}`);
  return value;
}
