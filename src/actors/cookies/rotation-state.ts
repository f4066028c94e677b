/**
 * The cookie state's transitions that need no I/O: a fresh state, an
 * attempt's outcome applied to it (monitor, revision, report), retention of
 * its reports, and the snapshot callers see (masked, never a value).
 */
import type { WriteOp } from '../../persistence/index.js';
import type { CookieMonitor, CookieState, MaskedKey, RotationReport, RotationStatus } from './schemas.js';

/** Where cookie states live. */
export const COOKIES = 'cookies';
/** One monitor per cookie, written in the same commit as every outcome. */
export const COOKIE_MONITORS = 'cookie-monitors';
/** Rotation reports, owned by their cookie (key: `ownedKey(cookieId, reportKey(attemptNumber, startedAt))`). */
export const COOKIE_REPORTS = 'cookie-reports';

/** How one attempt ended, before it is written. @internal */
export interface AttemptOutcome {
  readonly attemptNumber: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly status: RotationStatus;
  readonly message: string;
  readonly meta: RotationReport['meta'];
  /** Config missing or invalid, or a value the service no longer accepts: a person must act, so the schedule pauses. */
  readonly needsAction: boolean;
}

/**
 * What a caller sees of a cookie: ids, revision, times, the monitor and its
 * keys masked. Never the value.
 *
 * @example
 * ```ts
 * declare const Cookie: CookieDefinition;
 * const cookie = system.ref(Cookie, 'c-1');
 * const { monitor, keys } = await cookie.ask('status', {});
 * console.log(monitor.workerStatus, keys.map((k) => `${k.key}#${k.hash}`).join(' '));
 * ```
 */
export interface CookieSnapshot {
  readonly cookieId: string;
  readonly profileId: string | null;
  readonly service: string | null;
  readonly revision: number;
  readonly lastRotatedAt: number | null;
  readonly launchOnStartup: boolean;
  /** The attempt in flight, if any. */
  readonly rotating: number | null;
  readonly monitor: CookieMonitor;
  readonly keys: readonly MaskedKey[];
}

/** Report retention: at most `keep` per cookie, none older than `maxAgeMs`. */
export interface ReportRetention {
  readonly keep: number;
  readonly maxAgeMs: number;
}

/** @internal */
export function initialCookieState(cookieId: string, owner: string): CookieState {
  return {
    cookieId,
    profileId: null,
    service: null,
    value: null,
    revision: 0,
    lastRotatedAt: null,
    launchOnStartup: false,
    scheduled: false,
    attempts: 0,
    inFlight: null,
    lastFiring: null,
    monitor: { cookieId, workerStatus: 'stopped', owner, lastStatus: null, lastMessage: null, lastAttemptAt: null, consecutiveFailures: 0 },
    reports: [],
  };
}

/** The report's child key: sorts by attempt, and is the same for the same (attemptNumber, startedAt). @internal */
export function reportKey(attemptNumber: number, startedAt: number): string {
  return `${String(attemptNumber).padStart(10, '0')}@${startedAt}`;
}

/** The monitor's put, for the outcome's commit. @internal */
export function monitorOp(state: CookieState): WriteOp {
  return { op: 'put', collection: COOKIE_MONITORS, key: state.cookieId, value: { ...state.monitor } };
}

/** The worker status an idle cookie goes back to. @internal */
export function restingStatus(state: CookieState): CookieMonitor['workerStatus'] {
  return state.scheduled ? 'scheduled' : 'stopped';
}

/**
 * Applies `outcome` to `state`: a new sealed value (a new revision) if the
 * attempt produced one, the monitor, the in-flight mark cleared. Returns the
 * report to write.
 * @internal
 */
export function applyOutcome(state: CookieState, outcome: AttemptOutcome, sealedValue: string | undefined, keys: readonly MaskedKey[], validateUrl: string | null): RotationReport {
  if (sealedValue !== undefined) {
    state.value = sealedValue;
    state.revision++;
    state.lastRotatedAt = outcome.finishedAt;
  }
  state.inFlight = null;
  const failed = outcome.status !== 'success';
  if (outcome.needsAction) state.scheduled = false;
  Object.assign(state.monitor, {
    workerStatus: outcome.needsAction ? 'error' : restingStatus(state),
    lastStatus: outcome.status,
    lastMessage: outcome.message,
    lastAttemptAt: outcome.startedAt,
    consecutiveFailures: failed ? state.monitor.consecutiveFailures + 1 : 0,
  });
  return {
    cookieId: state.cookieId,
    profileId: state.profileId,
    service: state.service,
    validateUrl,
    keys: [...keys],
    status: outcome.status,
    message: outcome.message,
    attemptNumber: outcome.attemptNumber,
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
    meta: outcome.meta,
  };
}

/**
 * Records `key` among the kept reports and returns the keys retention drops:
 * older than `maxAgeMs`, or past the newest `keep`.
 * @internal
 */
export function retainReport(state: CookieState, key: string, finishedAt: number, retention: ReportRetention): string[] {
  const kept = [...state.reports.filter((report) => report.key !== key), { key, finishedAt }];
  const fresh = kept.filter((report) => finishedAt - report.finishedAt <= retention.maxAgeMs);
  const survivors = fresh.slice(Math.max(0, fresh.length - retention.keep));
  state.reports = survivors;
  const alive = new Set(survivors.map((report) => report.key));
  return kept.filter((report) => !alive.has(report.key)).map((report) => report.key);
}

/** @internal */
export function snapshotOf(state: CookieState, keys: readonly MaskedKey[]): CookieSnapshot {
  return {
    cookieId: state.cookieId,
    profileId: state.profileId,
    service: state.service,
    revision: state.revision,
    lastRotatedAt: state.lastRotatedAt,
    launchOnStartup: state.launchOnStartup,
    rotating: state.inFlight?.attemptNumber ?? null,
    monitor: { ...state.monitor },
    keys,
  };
}
