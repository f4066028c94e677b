/**
 * When a cook acts without being told: its `tick` reminder (durable) and its
 * `retry` timer (in memory). The tick is what resumes a cook after a restart,
 * a passivation or a takeover by another node: it is set in the commit that
 * makes the cook need it (the start, a resume) and removed in the commit that
 * ends the need (completion, or a stop or failure once no job is out), so a
 * running cook always has one and a finished cook never does. Saves in
 * between carry no reminder write: a save's size does not change.
 */
import type { ActorContext } from '../../index.js';
import { slotsInUse } from './cook-state.js';
import type { CookMessages, CookState } from './messages.js';

/** The name of a cook's repeating reminder. */
export const TICK_REMINDER = 'tick';

/** @internal */
export type CookCtx = ActorContext<CookState, typeof CookMessages>;

/**
 * Whether the cook needs ticks: it is running (slots to refill, jobs to
 * poll), or it still has jobs out at the service whose late completions must
 * be counted (paused, stopped or failed).
 */
export function wantsTick(state: CookState): boolean {
  return state.status === 'running' || (state.status !== 'completed' && slotsInUse(state) > 0);
}

/** The cook's schedule for ticks every `everyMs`. @internal */
export function cookSchedule(everyMs: number) {
  /** Whether the store holds this activation's tick (on `everyMs`), by context; known from activation on. */
  const armed = new WeakMap<object, boolean>();

  /** Sets or removes the tick when the state's need of it changed; call before each save, so both land in one commit. */
  const syncTick = (ctx: CookCtx): void => {
    const wanted = wantsTick(ctx.state);
    if (armed.get(ctx) === wanted) return;
    if (wanted) ctx.remind(TICK_REMINDER, { everyMs }, { type: 'tick', payload: {} });
    else ctx.cancelReminder(TICK_REMINDER);
    armed.set(ctx, wanted);
  };

  return {
    syncTick,

    /**
     * On activation: sets the tick again if the cook needs it (keeping its
     * next due time), or removes one it does not need. Set again, because
     * setting a reminder is what wakes this process's reminder service: a
     * cook activated by a message after a restart keeps ticking even where
     * the system does not list it in `reminders.actors`. The write commits
     * with `onStart`'s. An overdue tick is moved one interval on: it is
     * being delivered (it woke the cook), or the cook is refilled here anyway.
     */
    async loadTick(ctx: CookCtx): Promise<void> {
      const tick = (await ctx.reminders()).find((reminder) => reminder.name === TICK_REMINDER);
      const now = ctx.clock.now();
      if (wantsTick(ctx.state)) {
        const firstAfterMs = tick && tick.dueAt > now ? Math.min(tick.dueAt - now, everyMs) : everyMs;
        ctx.remind(TICK_REMINDER, { everyMs, firstAfterMs }, { type: 'tick', payload: {} });
        armed.set(ctx, true);
      } else {
        if (tick) ctx.cancelReminder(TICK_REMINDER);
        armed.set(ctx, false);
      }
    },

    /** Arms the retry timer for the earliest waiting retry of a running cook, or cancels it. */
    scheduleRetry(ctx: CookCtx): void {
      const state = ctx.state;
      const nextRetry = Math.min(...state.retries.map((retry) => retry.notBefore));
      // A retry needs a free slot; with every slot taken, the next slot freed refills from due retries anyway.
      if (state.status === 'running' && !ctx.stopping && Number.isFinite(nextRetry) && slotsInUse(state) < state.maxConcurrent) {
        ctx.startTimer('retry', Math.max(0, nextRetry - ctx.clock.now()), { type: 'retryDue', payload: {} });
      } else {
        ctx.cancelTimer('retry');
      }
    },
  };
}
