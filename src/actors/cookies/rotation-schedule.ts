/**
 * A cookie's rotation schedule as durable reminders: `rotate` repeats every
 * interval (with the provider's jitter) while the cookie is started; `retry`
 * fires once after a failed attempt, backing off per consecutive failure.
 * Both are staged in the turn and land with its commit.
 */
import type { ActorContext } from '../../index.js';
import type { CookieMessages } from './messages.js';
import type { ProviderConfig, CookieState } from './schemas.js';

type Ctx = ActorContext<CookieState, typeof CookieMessages>;

/** The reminder of scheduled rotations. @internal */
export const ROTATE_REMINDER = 'rotate';
/** The reminder of a retry after a failure. @internal */
export const RETRY_REMINDER = 'retry';

/**
 * Arms (or re-arms) the repeating reminder with the provider's current
 * interval, keeping its next due time if it has one: a restart does not push
 * a rotation back, and it wakes the system's reminder service.
 * @internal
 */
export async function armRotation(ctx: Ctx, config: ProviderConfig): Promise<void> {
  const now = ctx.clock.now();
  const existing = (await ctx.reminders()).find((reminder) => reminder.name === ROTATE_REMINDER);
  const since = ctx.state.lastRotatedAt;
  const firstAfterMs = existing ? existing.dueAt - now : since === null ? config.rotateEveryMs : since + config.rotateEveryMs - now;
  ctx.remind(
    ROTATE_REMINDER,
    { everyMs: config.rotateEveryMs, jitterMs: config.jitterMs, firstAfterMs: Math.max(0, Math.min(firstAfterMs, config.rotateEveryMs)) },
    { type: 'rotate', payload: { reason: 'schedule' } },
  );
}

/** Removes both reminders (stopped, or waiting for a person). @internal */
export function disarm(ctx: Ctx): void {
  ctx.cancelReminder(ROTATE_REMINDER);
  ctx.cancelReminder(RETRY_REMINDER);
}

/**
 * After an outcome: a success cancels a pending retry; a failure of a
 * started cookie sets one, `retryBackoffMs` doubled per consecutive failure,
 * never later than one interval.
 * @internal
 */
export function scheduleAfterOutcome(ctx: Ctx, config: ProviderConfig | undefined, retryBackoffMs: number): void {
  const { monitor, scheduled } = ctx.state;
  if (!scheduled) {
    if (monitor.workerStatus === 'error') disarm(ctx); // waiting for a person: nothing fires until they act
    return;
  }
  if (monitor.lastStatus === 'success' || !config) return ctx.cancelReminder(RETRY_REMINDER);
  const delay = Math.min(config.rotateEveryMs, retryBackoffMs * 2 ** Math.min(monitor.consecutiveFailures - 1, 30));
  ctx.remind(RETRY_REMINDER, { afterMs: delay }, { type: 'rotate', payload: { reason: 'retry' } });
}
