/**
 * When a cookie rotates next. The one place that arms the schedule, so the
 * actor says "rotate in this long" and this file decides how that survives.
 */
import type { ActorContext } from '../../runtime/index.js';
import type { CookieMessages, CookieState } from './messages.js';

type Ctx = ActorContext<CookieState, typeof CookieMessages>;

/** The schedule's name on the actor. */
export const ROTATION_SCHEDULE = 'rotate';

/**
 * Arms the next scheduled rotation of this cookie `delayMs` from now (plus up
 * to `jitterMs`, from the actor's seeded random, so a fleet of cookies
 * registered together does not hit the service at once).
 */
export function scheduleRotation(ctx: Ctx, delayMs: number, jitterMs: number): void {
  const jitter = jitterMs > 0 ? Math.floor(ctx.random.next() * (jitterMs + 1)) : 0;
  ctx.startTimer(ROTATION_SCHEDULE, Math.max(0, delayMs) + jitter, { type: 'rotate', payload: { reason: 'scheduled' } });
}

/** Removes the scheduled rotation (the cookie needs a person first). */
export function unscheduleRotation(ctx: Ctx): void {
  ctx.cancelTimer(ROTATION_SCHEDULE);
}
