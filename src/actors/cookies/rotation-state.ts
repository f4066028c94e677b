/**
 * Pure steps on a cookie's state: a fresh cookie, what an outcome does to it,
 * the report it gives, and the cookie at a glance. No I/O, so the actor's
 * handlers stay short and the simulator can check the same rules.
 */
import { maskCookie } from './secrets.js';
import type { CookieMonitor, CookieState, MaskedKey, RotationReport, RotationStatus } from './messages.js';

/** A cookie nobody registered yet. */
export function initialCookieState(cookieId: string): CookieState {
  return {
    cookieId,
    profileId: null,
    service: null,
    value: null,
    lastRotatedAt: null,
    revision: 0,
    launchOnStartup: false,
    attempts: 0,
    inFlight: null,
    monitor: {
      cookieId,
      workerStatus: 'idle',
      owner: `cookie/${cookieId}`,
      lastStatus: null,
      lastMessage: null,
      lastAttemptAt: null,
      consecutiveFailures: 0,
    },
  };
}

/** What an attempt ended with, as the actor records it. */
export interface AttemptOutcome {
  readonly attemptNumber: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly status: RotationStatus;
  readonly message: string;
  /** The monitor must show an error someone has to act on (no config, stale value). */
  readonly needsAction: boolean;
  readonly meta: RotationReport['meta'];
}

/** Updates the monitor for an attempt's outcome. */
export function recordOutcome(monitor: CookieMonitor, outcome: AttemptOutcome): void {
  monitor.lastStatus = outcome.status;
  monitor.lastMessage = outcome.message;
  monitor.lastAttemptAt = outcome.startedAt;
  monitor.consecutiveFailures = outcome.status === 'success' ? 0 : monitor.consecutiveFailures + 1;
  monitor.workerStatus = outcome.needsAction ? 'error' : 'idle';
}

/** The report of an attempt: key names with short hashes, never a value. */
export function reportOf(
  state: CookieState,
  outcome: AttemptOutcome,
  context: { readonly validateUrl: string | null; readonly keys: readonly MaskedKey[] },
): RotationReport {
  return {
    cookieId: state.cookieId,
    profileId: state.profileId,
    service: state.service,
    validateUrl: context.validateUrl,
    cookieKeys: [...context.keys],
    status: outcome.status,
    message: outcome.message.slice(0, 2_000),
    attemptNumber: outcome.attemptNumber,
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
    meta: outcome.meta,
  };
}

/**
 * The store key of a report: `(cookieId, attemptNumber, startedAt)`, so
 * writing a report twice writes one record, and one cookie's reports share a
 * prefix in attempt order.
 *
 * @example
 * ```ts
 * const page = await persistence.query('cookie-reports', { prefix: `${reportPrefix('shop-ann')}` });
 * ```
 */
export function reportKey(cookieId: string, attemptNumber: number, startedAt: number): string {
  return `${reportPrefix(cookieId)}${String(attemptNumber).padStart(10, '0')}/${startedAt}`;
}

/** The prefix every report key of `cookieId` shares. */
export function reportPrefix(cookieId: string): string {
  return `${cookieId}/`;
}

/**
 * What `status` answers: the cookie without its value.
 *
 * @example
 * ```ts
 * const { revision, keys, monitor } = await cookie.ask('status', {});
 * ```
 */
export interface CookieSnapshot {
  readonly cookieId: string;
  readonly service: string | null;
  readonly profileId: string | null;
  readonly revision: number;
  readonly lastRotatedAt: number | null;
  readonly keys: readonly MaskedKey[];
  readonly rotating: boolean;
  readonly monitor: CookieMonitor;
}

/** The cookie at a glance, with `open` to read its sealed value for the masks. */
export function snapshotOf(state: CookieState, keys: readonly string[], open: (state: CookieState) => string | undefined): CookieSnapshot {
  return {
    cookieId: state.cookieId,
    service: state.service,
    profileId: state.profileId,
    revision: state.revision,
    lastRotatedAt: state.lastRotatedAt,
    keys: maskCookie(open(state), keys),
    rotating: state.inFlight !== null,
    monitor: { ...state.monitor },
  };
}
