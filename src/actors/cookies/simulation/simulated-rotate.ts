/**
 * The rotate task of simulated providers: the default task's contract with
 * the simulated service in place of HTTP. It runs in the simulator's
 * in-process pool, whose completion the strategy orders, so "the service
 * rotated, the outcome is not stored yet" is a reachable state.
 */
import type { RotateInput, RotateResult } from '../schemas.js';
import { simulatedProviders } from './simulated-service.js';

/**
 * Rotates against the simulated provider registered under the provider's validate URL.
 * @internal
 */
export function simulatedRotateCookie(input: RotateInput): RotateResult {
  const service = simulatedProviders().get(input.provider.validateUrl);
  if (!service) return { status: 'unreachable', message: `no simulated provider at ${input.provider.validateUrl}`, meta: {} };
  const answer = service.rotate(input.cookie);
  return { status: answer.status, message: answer.message, ...(answer.cookie === undefined ? {} : { cookie: answer.cookie }), meta: {} };
}
