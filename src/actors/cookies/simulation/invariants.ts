/**
 * What must hold of one cookie whoever rotates it, checked after every
 * simulated step against its durable record: a value never replaced by an
 * older one, and never a stale value presented to the service.
 */
import type { SimulationWorld } from '../../../runtime/simulator/index.js';
import { COOKIES } from '../rotation-state.js';
import type { CookieState } from '../schemas.js';
import { SimulatedCookieProvider } from './simulated-service.js';

/** The plain cookie of a durable record (simulated cookies are stored unsealed). @internal */
export function storedCookie(state: Pick<CookieState, 'value'> | undefined): string | undefined {
  const value = state?.value ?? undefined;
  return value?.startsWith('plain:') ? value.slice('plain:'.length) : value;
}

/**
 * The cookie invariants of a run, as messages (empty when they hold). The
 * newest value seen durable so far is kept in the run's scratch.
 *
 * @example
 * ```ts
 * const cookieInvariant = (world: SimulationWorld, service: SimulatedCookieProvider) => cookieViolations(world, service, 'c').join('; ') || true;
 * ```
 */
export function cookieViolations(world: SimulationWorld, service: SimulatedCookieProvider, cookieId: string): string[] {
  const state = world.store.read<CookieState>(COOKIES, cookieId)?.value;
  const seen = world.scratch(`cookie ${cookieId}`, () => ({ seq: 0, revision: 0 }));
  const seq = SimulatedCookieProvider.seqOf(storedCookie(state));
  const violations: string[] = [];
  if (seq < seen.seq) violations.push(`an older value over a newer one: value #${seq} stored after #${seen.seq}`);
  if ((state?.revision ?? 0) < seen.revision) violations.push(`revision went back from ${seen.revision} to ${state?.revision ?? 0}`);
  if (service.stalePresented > 0) violations.push(`${service.stalePresented} rotate call(s) presented a value the service had replaced`);
  seen.seq = Math.max(seen.seq, seq);
  seen.revision = Math.max(seen.revision, state?.revision ?? 0);
  return violations;
}
