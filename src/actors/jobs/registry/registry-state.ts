/**
 * The registry's rules as pure functions of (state, request, time): expiry of
 * silent and hung workers, admission of at most one STARTING or RUNNING
 * worker per type, status transitions, drift detection and the next expiry
 * deadline. The actor runs each in one turn and commits the result once;
 * nothing here reads a clock or awaits, so there is no gap to race in.
 */
import type { RegisterRequest, RegistryState, WorkerInstance, WorkerStatus } from './schemas.js';

/**
 * Time bounds of the registry.
 *
 * @example
 * ```ts
 * const thresholds: RegistryThresholds = { staleAfterMs: 30_000, stoppingTimeoutMs: 60_000 };
 * ```
 */
export interface RegistryThresholds {
  /**
   * Silence is counted from here at the earliest: when this registry
   * incarnation started listening. A worker cannot be heard while the
   * registry is down, so its downtime is not the worker's silence.
   */
  readonly heardSince?: number;
  /** A STARTING or RUNNING worker silent for longer than this is STOPPED (`stale`) and frees its type. */
  readonly staleAfterMs: number;
  /** A worker STOPPING for longer than this is STOPPED (`stopping-timeout`). */
  readonly stoppingTimeoutMs: number;
}

/** Defaults: heartbeats every 10 s, stale after 30 s of silence, STOPPING bounded at 60 s. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
export const DEFAULT_STALE_AFTER_MS = 30_000;
export const DEFAULT_STOPPING_TIMEOUT_MS = 60_000;
/** STOPPED worker records kept per worker type (the newest); older ones are deleted. */
export const DEFAULT_KEEP_STOPPED = 20;

/** A fresh registry: no workers, no drift announced. @internal */
export function emptyRegistry(): RegistryState {
  return { workers: {}, drift: [], stopped: {} };
}

/** Holds a type: STARTING or RUNNING. @internal */
export function holdsType(status: WorkerStatus): boolean {
  return status === 'STARTING' || status === 'RUNNING';
}

/** A state change: the next state and every worker whose record changed (to write in the same commit). @internal */
export interface Change {
  readonly state: RegistryState;
  readonly changed: readonly WorkerInstance[];
}

function expiryOf(worker: WorkerInstance, now: number, thresholds: RegistryThresholds): WorkerInstance | undefined {
  const floor = thresholds.heardSince ?? 0;
  if (holdsType(worker.status) && now - Math.max(worker.lastHeartbeatAt, floor) > thresholds.staleAfterMs) {
    return { ...worker, status: 'STOPPED', stoppedAt: now, stopReason: 'stale' };
  }
  if (worker.status === 'STOPPING' && worker.stoppingSince !== null && now - Math.max(worker.stoppingSince, floor) > thresholds.stoppingTimeoutMs) {
    return { ...worker, status: 'STOPPED', stoppedAt: now, stopReason: 'stopping-timeout' };
  }
  return undefined;
}

/** Applies `updates` (STOPPED ones leave the state) and refreshes the drift set. */
function apply(state: RegistryState, updates: readonly WorkerInstance[]): RegistryState {
  if (updates.length === 0) return state;
  const workers = { ...state.workers };
  for (const worker of updates) {
    if (worker.status === 'STOPPED') delete workers[worker.id];
    else workers[worker.id] = worker;
  }
  return { ...state, workers };
}

/**
 * Marks every worker past a bound STOPPED: silent STARTING/RUNNING ones
 * (`stale`), and ones STOPPING for too long (`stopping-timeout`).
 * @internal
 */
export function expire(state: RegistryState, now: number, thresholds: RegistryThresholds): Change {
  const changed: WorkerInstance[] = [];
  for (const worker of Object.values(state.workers)) {
    const expired = expiryOf(worker, now, thresholds);
    if (expired) changed.push(expired);
  }
  return { state: apply(state, changed), changed };
}

/** The outcome of a registration: admitted (a new worker, or the same process retrying), or refused naming the holder. @internal */
export type Admission =
  | (Change & { readonly ok: true; readonly worker: WorkerInstance; readonly retried: boolean })
  | { readonly ok: false; readonly active: WorkerInstance };

/**
 * Registration as one change: expire, check, insert. A retry by the process
 * that holds the type (same host, pid and version: its first answer was
 * lost) gets its own registration back instead of a refusal naming itself.
 * @internal
 */
export function admit(state: RegistryState, request: RegisterRequest, now: number, thresholds: RegistryThresholds, newId: string): Admission {
  const expired = expire(state, now, thresholds);
  const holder = Object.values(expired.state.workers).find((worker) => worker.workerType === request.workerType && holdsType(worker.status));
  if (holder) {
    const sameProcess = holder.hostname === request.hostname && holder.pid === request.pid && holder.version.version === request.version.version;
    if (!sameProcess) return { ok: false, active: holder };
    return { ok: true, worker: holder, retried: true, ...expired };
  }
  const worker: WorkerInstance = {
    id: newId,
    workerType: request.workerType,
    status: 'STARTING',
    hostname: request.hostname,
    pid: request.pid,
    version: request.version,
    startedAt: now,
    lastHeartbeatAt: now,
    stoppingSince: null,
    stoppedAt: null,
    stopReason: null,
  };
  return { ok: true, worker, retried: false, state: apply(expired.state, [worker]), changed: [...expired.changed, worker] };
}

/** What a worker asks of its own registration. @internal */
export type WorkerRequest = 'running' | 'heartbeat' | 'stopping' | 'deregister';

/** The outcome of a worker's request: the change, and the worker's record, `undefined` if it is not live (STOPPED, unknown, or expired by this very change). @internal */
export type Transition = Change & { readonly worker: WorkerInstance | undefined };

/**
 * A worker's request about itself, after expiry (so a worker past its bound
 * is refused, whatever the sweep timer has got to). Heartbeats refresh
 * STARTING and RUNNING workers; `running` is refused once STOPPING (the
 * caller gets the worker back unchanged); `stopping` and `deregister` are
 * idempotent.
 * @internal
 */
export function transition(state: RegistryState, workerId: string, request: WorkerRequest, now: number, thresholds: RegistryThresholds): Transition {
  const expired = expire(state, now, thresholds);
  const worker = expired.state.workers[workerId];
  if (!worker) return { ...expired, worker: undefined };
  const next = nextRecord(worker, request, now);
  if (next === worker) return { ...expired, worker };
  return { worker: next, state: apply(expired.state, [next]), changed: [...expired.changed, next] };
}

function nextRecord(worker: WorkerInstance, request: WorkerRequest, now: number): WorkerInstance {
  switch (request) {
    case 'running':
      return worker.status === 'STARTING' ? { ...worker, status: 'RUNNING', lastHeartbeatAt: now } : worker;
    case 'heartbeat':
      return holdsType(worker.status) ? { ...worker, lastHeartbeatAt: now } : worker;
    case 'stopping':
      return worker.status === 'STOPPING' ? worker : { ...worker, status: 'STOPPING', stoppingSince: now };
    case 'deregister':
      return { ...worker, status: 'STOPPED', stoppedAt: now, stopReason: 'deregistered' };
  }
}

/**
 * Files the workers a change STOPPED in their type's history, newest last,
 * and takes out the oldest past `keep`: their records are to be deleted in
 * the same commit.
 * @internal
 */
export function retainStopped(state: RegistryState, changed: readonly WorkerInstance[], keep: number): { readonly state: RegistryState; readonly pruned: readonly string[] } {
  const stopping = changed.filter((worker) => worker.status === 'STOPPED');
  if (stopping.length === 0) return { state, pruned: [] };
  const stopped = { ...state.stopped };
  const pruned: string[] = [];
  for (const worker of stopping) {
    const ids = (stopped[worker.workerType] ?? []).filter((id) => id !== worker.id);
    ids.push(worker.id);
    pruned.push(...ids.splice(0, Math.max(0, ids.length - keep)));
    stopped[worker.workerType] = ids;
  }
  return { state: { ...state, stopped }, pruned };
}

/** Distinct versions of RUNNING workers, sorted. @internal */
export function runningVersions(state: RegistryState): string[] {
  const versions = new Set<string>();
  for (const worker of Object.values(state.workers)) if (worker.status === 'RUNNING') versions.add(worker.version.version);
  return [...versions].sort();
}

/** What a change did to drift: it began (or its version set changed), it ended, or neither. @internal */
export type DriftChange = 'drift' | 'converged' | undefined;

/**
 * Records drift in the state: more than one version RUNNING. The version set
 * last announced is kept, so one drift is announced once, not per heartbeat.
 * @internal
 */
export function withDrift(state: RegistryState): { readonly state: RegistryState; readonly drift: DriftChange } {
  const versions = runningVersions(state);
  const drifting = versions.length > 1;
  if (drifting && versions.join('\n') !== state.drift.join('\n')) return { state: { ...state, drift: versions }, drift: 'drift' };
  if (!drifting && state.drift.length > 0) return { state: { ...state, drift: [] }, drift: 'converged' };
  return { state, drift: undefined };
}

/** When the next worker passes a bound (ms since the epoch), or `undefined` if none can. @internal */
export function nextExpiry(state: RegistryState, thresholds: RegistryThresholds): number | undefined {
  const floor = thresholds.heardSince ?? 0;
  let earliest: number | undefined;
  for (const worker of Object.values(state.workers)) {
    const at = holdsType(worker.status)
      ? Math.max(worker.lastHeartbeatAt, floor) + thresholds.staleAfterMs + 1
      : worker.stoppingSince === null
        ? undefined
        : Math.max(worker.stoppingSince, floor) + thresholds.stoppingTimeoutMs + 1;
    if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
  }
  return earliest;
}
