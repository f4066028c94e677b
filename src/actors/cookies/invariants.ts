import type { CookieState } from './messages.js';

/**
 * What must hold of a cookie's state at every step. Returns one message per
 * broken rule (empty when all hold). The simulator and the tests check these.
 *
 * @example
 * ```ts
 * const broken = cookieInvariantViolations(world.peek(cookie));
 * ```
 */
export function cookieInvariantViolations(state: CookieState | undefined): string[] {
  if (!state) return [];
  const broken: string[] = [];
  const { inFlight, monitor } = state;
  if (inFlight && monitor.workerStatus !== 'rotating') broken.push(`attempt ${inFlight.attemptNumber} is in flight but the monitor says ${monitor.workerStatus}`);
  if (inFlight && inFlight.attemptNumber > state.attempts) broken.push(`attempt ${inFlight.attemptNumber} in flight beyond ${state.attempts} started`);
  if (inFlight && inFlight.baseRevision !== state.revision) broken.push(`attempt ${inFlight.attemptNumber} started from revision ${inFlight.baseRevision}, the cookie is at ${state.revision}`);
  if (monitor.consecutiveFailures > state.attempts) broken.push(`${monitor.consecutiveFailures} consecutive failures in ${state.attempts} attempts`);
  if (monitor.cookieId !== state.cookieId) broken.push(`monitor of ${monitor.cookieId} on cookie ${state.cookieId}`);
  return broken;
}
