/**
 * An opaque handle to cancel a timer set through a {@link Clock}.
 *
 * @example
 * ```ts
 * declare const clock: Clock;
 * declare function giveUp(jobId: string): void;
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
  /** Milliseconds since the epoch (virtual under simulation): for timestamps. It can step when the system clock is set. */
  now(): number;
  /** Milliseconds from an arbitrary origin that never steps: for durations and deadlines. */
  monotonic(): number;
  /** Calls `callback` once after `delayMs` (of monotonic time); `Infinity` never. The timer does not keep the process alive. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  /** Cancels a timer; cancelling a fired or unknown timer does nothing. */
  clearTimer(handle: TimerHandle): void;
  /** Makes a timer keep the process alive until it fires (or stop doing so). A clock with no process to hold leaves it out. */
  keepAlive?(handle: TimerHandle, keep: boolean): void;
}

/** The longest delay `setTimeout` honours; past it, Node fires after 1 ms. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The handle of a timer that never fires (`Infinity`). */
const NEVER: TimerHandle = Object.freeze({});

/** A timer longer than `setTimeout` can hold: a chain of maximal timeouts, then the rest. */
class LongTimer {
  #timer: NodeJS.Timeout;
  #keep = false;

  constructor(
    private remainingMs: number,
    private readonly callback: () => void,
  ) {
    this.#timer = this.#arm();
  }

  #arm(): NodeJS.Timeout {
    const stepMs = Math.min(this.remainingMs, MAX_TIMEOUT_MS);
    this.remainingMs -= stepMs;
    const timer = setTimeout(() => (this.remainingMs > 0 ? (this.#timer = this.#arm()) : this.callback()), stepMs);
    if (!this.#keep) timer.unref();
    return timer;
  }

  keepAlive(keep: boolean): void {
    this.#keep = keep;
    if (keep) this.#timer.ref();
    else this.#timer.unref();
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * The real clock: `now` reads the wall clock (`Date.now`), `monotonic` reads
 * `performance.now`, and timers run on Node's monotonic timers. Timers are
 * `unref`ed so housekeeping (passivation checks, backoffs, heartbeats) never
 * keeps a process alive; a waiter that must (a pending ask's deadline) asks
 * for it with `keepAlive`. A delay past `setTimeout`'s 2^31-1 ms is chained,
 * and `Infinity` sets no timer at all, so neither spins a 1 ms timer.
 *
 * @example
 * ```ts
 * new ActorSystem({ clock: realClock });
 * ```
 */
export const realClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimer(delayMs, callback) {
    if (delayMs > MAX_TIMEOUT_MS) return delayMs === Infinity ? NEVER : new LongTimer(delayMs, callback);
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return timer;
  },
  clearTimer(handle) {
    if (handle instanceof LongTimer) handle.clear();
    else if (handle !== NEVER) clearTimeout(handle as NodeJS.Timeout);
  },
  keepAlive(handle, keep) {
    if (handle instanceof LongTimer) handle.keepAlive(keep);
    else if (handle !== NEVER) {
      if (keep) (handle as NodeJS.Timeout).ref();
      else (handle as NodeJS.Timeout).unref();
    }
  },
};
