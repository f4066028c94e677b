import type { Clock, TimerHandle } from './clock.js';

/** Marks a repeating timer's tick while it waits in the mailbox, so ticks never stack. @internal */
export interface TimerTick {
  pending: boolean;
}

interface ActiveTimer {
  handle: TimerHandle;
}

/**
 * One actor's keyed timers on the injected clock. A timer of the same name
 * replaces the old one; a repeating timer skips a tick while the previous
 * one is still queued.
 * @internal
 */
export class ActorTimers {
  readonly #active = new Map<string, ActiveTimer>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.#active.size;
  }

  /** Calls `deliver(tick)` after `delayMs` (and every `delayMs` after that with `repeat`), unless the last tick is still pending. */
  start(name: string, delayMs: number, repeat: boolean, deliver: (tick: TimerTick) => void): void {
    this.cancel(name);
    const tick: TimerTick = { pending: false };
    const fire = () => {
      if (repeat) active.handle = this.clock.setTimer(delayMs, fire);
      else this.#active.delete(name);
      if (tick.pending) return;
      tick.pending = true;
      deliver(tick);
    };
    const active: ActiveTimer = { handle: this.clock.setTimer(delayMs, fire) };
    this.#active.set(name, active);
  }

  has(name: string): boolean {
    return this.#active.has(name);
  }

  cancel(name: string): void {
    const timer = this.#active.get(name);
    if (!timer) return;
    this.clock.clearTimer(timer.handle);
    this.#active.delete(name);
  }

  cancelAll(): void {
    for (const timer of this.#active.values()) this.clock.clearTimer(timer.handle);
    this.#active.clear();
  }
}
