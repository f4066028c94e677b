import type { Clock, TimerHandle } from './clock.js';

interface VirtualTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told to. Timers fire in order of due time, ties
 * in the order they were set, so a run is reproducible.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const system = new ActorSystem({ clock });
 * clock.advance(5_000); // fires every timer due in the next five seconds
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;
  #nextId = 0;
  readonly #timers = new Map<number, VirtualTimer>();

  constructor(startAt = 0) {
    this.#now = startAt;
  }

  now(): number {
    return this.#now;
  }

  /** The same reading as {@link now}: virtual time never steps back. */
  monotonic(): number {
    return this.#now;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const id = ++this.#nextId;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, delayMs), callback });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.#timers.delete((handle as { id: number }).id);
  }

  /** Number of timers not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Due time of the earliest pending timer, if any. */
  nextDueAt(): number | undefined {
    return this.#earliest()?.at;
  }

  /** Moves time to the earliest timer and fires it (and nothing else). Returns false if none is pending. */
  fireNext(): boolean {
    const timer = this.#earliest();
    if (!timer) return false;
    this.#timers.delete(timer.id);
    this.#now = Math.max(this.#now, timer.at);
    timer.callback();
    return true;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (let timer = this.#earliest(); timer && timer.at <= target; timer = this.#earliest()) {
      this.fireNext();
    }
    this.#now = target;
  }

  #earliest(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (!best || timer.at < best.at || (timer.at === best.at && timer.id < best.id)) best = timer;
    }
    return best;
  }
}
