/**
 * The rotate task of simulated providers: the same contract as the default
 * one, with the simulated service in place of HTTP. It runs in the
 * simulator's in-process pool, whose completion step the strategy orders, so
 * "the service rotated but the outcome was not stored yet" is a reachable state.
 */
import { parseCookie } from '../cookie-string.js';
import type { RotateInput, RotateResult } from '../messages.js';
import { SIMULATED_SERVICES } from './simulated-service.js';

/**
 * Rotates against the {@link SimulatedCookieService} at `provider.rotateUrl`.
 *
 * @example
 * ```ts
 * providers.register({ service: 'shop', validateUrl: 'http://sim.invalid/shop', cookieKeys: ['sid'], rotateEveryMs: 1_000, task: SIMULATED_ROTATE_TASK });
 * ```
 */
export function simRotateCookie(input: RotateInput): RotateResult {
  const service = SIMULATED_SERVICES.get(input.provider.rotateUrl);
  if (!service) return { status: 'unreachable', message: `no simulated service at ${input.provider.rotateUrl}`, meta: {} };
  const sid = parseCookie(input.cookie).get('sid') ?? '';
  const cookieId = sid.slice(0, sid.lastIndexOf('.'));
  const answer = service.rotate(cookieId, input.cookie);
  if (answer.status !== 'success') return { status: answer.status, message: `simulated ${answer.status}`, meta: {} };
  return { status: 'success', ...(answer.cookie === undefined ? {} : { cookie: answer.cookie }), message: 'rotated sid', meta: {} };
}
