/**
 * An opaque handle to cancel a timer set through a {@link Clock}.
 *
 * @example
 * ```ts
 * const handle: TimerHandle = clock.setTimer(30_000, () => giveUp(jobId));
 * clock.clearTimer(handle); // the job answered in time
 * ```
 */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/**
 * The only way steward reads time or waits. Production binds it to the real
 * clock; tests and the simulator bind it to a {@link VirtualClock}.
 *
 * @example
 * ```ts
 * const clock: Clock = realClock;
 * const handle = clock.setTimer(100, () => console.log('later'));
 * clock.clearTimer(handle);
 * ```
 */
export interface Clock {
  /** Milliseconds since the epoch (virtual under simulation). */
  now(): number;
  /** Calls `callback` once after `delayMs`. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  /** Cancels a timer; cancelling a fired or unknown timer does nothing. */
  clearTimer(handle: TimerHandle): void;
}

/**
 * The wall clock. Timers are `unref`ed so a forgotten timer never keeps a
 * process alive on its own.
 *
 * @example
 * ```ts
 * new ActorSystem({ clock: realClock });
 * ```
 */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, callback) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return timer;
  },
  clearTimer(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
