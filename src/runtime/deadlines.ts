/**
 * Per-task timeouts without a timer per task. Tasks sharing a timeout length
 * fall due in the order they were added (deadlines are read on the clock's
 * monotonic reading, which never steps back), so each length keeps a linked
 * list and one clock timer for its head. Removing a task is O(1); memory is
 * one entry per live task. At 30k tasks/s, a `setTimeout` per task was a
 * visible part of the pool's overhead.
 * @internal
 */
import type { Clock, TimerHandle } from '../runtime/clock.js';

/** A scheduled deadline; pass it to {@link Deadlines.remove}. */
export interface Deadline {
  /** When it falls due, on the clock's monotonic reading. */
  readonly at: number;
}

/** Options of {@link Deadlines}. */
export interface DeadlinesOptions {
  /**
   * While a deadline is pending, keep the process alive until it is removed
   * or fires (a caller is waiting on it). Default false.
   */
  readonly keepAlive?: boolean;
}

interface Entry extends Deadline {
  readonly fire: (arg: unknown) => void;
  readonly arg: unknown;
  readonly lane: Lane;
  prev: Entry | undefined;
  next: Entry | undefined;
  live: boolean;
}

interface Lane {
  readonly delayMs: number;
  head: Entry | undefined;
  tail: Entry | undefined;
  timer: TimerHandle | undefined;
  /** The timer holds the process (keepAlive): from the first deadline until the lane has been empty for an event-loop turn. */
  held: boolean;
}

// Captured at load, so a test faking timers cannot keep a released lane holding the process.
const afterThisTurn = setImmediate;

export class Deadlines {
  readonly #clock: Clock;
  readonly #keepAlive: boolean;
  readonly #lanes = new Map<number, Lane>();
  #releaseQueued = false;

  constructor(clock: Clock, options: DeadlinesOptions = {}) {
    this.#clock = clock;
    this.#keepAlive = options.keepAlive ?? false;
  }

  /**
   * Calls `fire(arg)` once, `delayMs` from now, unless removed first
   * (`Infinity`: never, and no timer is set). Passing `arg` lets a hot caller
   * reuse one `fire` instead of a closure per deadline.
   */
  add(delayMs: number, fire: () => void): Deadline;
  add<T>(delayMs: number, fire: (arg: T) => void, arg: T): Deadline;
  add(delayMs: number, fire: (arg: unknown) => void, arg?: unknown): Deadline {
    let lane = this.#lanes.get(delayMs);
    if (!lane) {
      lane = { delayMs, head: undefined, tail: undefined, timer: undefined, held: false };
      this.#lanes.set(delayMs, lane);
    }
    const entry: Entry = { at: this.#clock.monotonic() + delayMs, fire, arg, lane, prev: lane.tail, next: undefined, live: true };
    if (lane.tail) lane.tail.next = entry;
    else {
      lane.head = entry;
      if (lane.timer !== undefined) this.#hold(lane, lane.timer);
    }
    lane.tail = entry;
    if (lane.timer === undefined && delayMs !== Infinity) this.#arm(lane, delayMs);
    return entry;
  }

  /** Milliseconds until `deadline` fires (0 once due; Infinity for one that never fires). */
  remaining(deadline: Deadline): number {
    return Math.max(0, deadline.at - this.#clock.monotonic());
  }

  remove(deadline: Deadline): void {
    const entry = deadline as Entry;
    if (!entry.live) return;
    // A timer left for a removed head fires early and re-arms for the next one; a lane found empty then goes.
    // Not clearing it here keeps back-to-back asks (add, remove, add, …) off a setTimeout/clearTimeout pair each.
    this.#unlink(entry);
    const lane = entry.lane;
    if (lane.head) return;
    if (lane.timer === undefined) this.#lanes.delete(lane.delayMs);
    else if (lane.held && !this.#releaseQueued) {
      // Nothing waits on it now: let the process exit, once this turn is over. Back-to-back asks
      // (the lane emptied and refilled within a turn) then cost no ref/unref pair each.
      this.#releaseQueued = true;
      afterThisTurn(this.#release);
    }
  }

  #arm(lane: Lane, delayMs: number): void {
    const timer = this.#clock.setTimer(delayMs, () => this.#due(lane));
    lane.timer = timer;
    lane.held = false;
    this.#hold(lane, timer);
  }

  #hold(lane: Lane, timer: TimerHandle): void {
    if (!this.#keepAlive || lane.held || !this.#clock.keepAlive) return;
    lane.held = true;
    this.#clock.keepAlive(timer, true);
  }

  readonly #release = (): void => {
    this.#releaseQueued = false;
    for (const lane of this.#lanes.values()) {
      if (lane.held && !lane.head && lane.timer !== undefined) {
        lane.held = false;
        this.#clock.keepAlive?.(lane.timer, false);
      }
    }
  };

  #due(lane: Lane): void {
    lane.timer = undefined;
    lane.held = false;
    const now = this.#clock.monotonic();
    while (lane.head && lane.head.at <= now) {
      const entry = lane.head;
      this.#unlink(entry);
      entry.fire(entry.arg);
    }
    if (lane.head) {
      if (lane.timer === undefined) this.#arm(lane, lane.head.at - now);
    } else if (lane.timer === undefined) {
      this.#lanes.delete(lane.delayMs);
    }
  }

  #unlink(entry: Entry): void {
    entry.live = false;
    const { lane, prev, next } = entry;
    if (prev) prev.next = next;
    else lane.head = next;
    if (next) next.prev = prev;
    else lane.tail = prev;
    entry.prev = entry.next = undefined;
  }
}
