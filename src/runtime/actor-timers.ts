import type { Clock, TimerHandle } from './clock.js';

/**
 * One timer of one actor, carried by each of its ticks through the mailbox.
 * A tick is delivered only while its timer is still the live one of that
 * name (not cancelled, not replaced, not from an earlier incarnation), so a
 * tick already queued when its timer died is dropped at delivery.
 * @internal
 */
export class TimerTick {
  /** A tick waits in the mailbox: a repeating timer skips its next ticks until it is handled, so ticks never stack. */
  pending = false;
  live = true;
  handle: TimerHandle | undefined = undefined;

  constructor(
    readonly name: string,
    readonly repeat: boolean,
  ) {}
}

/**
 * One actor's keyed timers on the injected clock. A timer of the same name
 * replaces the old one; a repeating timer skips a tick while the previous
 * one is still queued. A one-shot timer counts as pending until its tick is
 * handled (or it is cancelled), so `hasTimer` tells the truth.
 * @internal
 */
export class ActorTimers {
  readonly #active = new Map<string, TimerTick>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.#active.size;
  }

  /** Calls `deliver(tick)` after `delayMs` (and every `delayMs` after that with `repeat`), unless the last tick is still pending. */
  start(name: string, delayMs: number, repeat: boolean, deliver: (tick: TimerTick) => void): void {
    this.cancel(name);
    const tick = new TimerTick(name, repeat);
    const fire = () => {
      if (!tick.live) return;
      tick.handle = repeat ? this.clock.setTimer(delayMs, fire) : undefined;
      if (tick.pending) return;
      tick.pending = true;
      deliver(tick);
    };
    tick.handle = this.clock.setTimer(delayMs, fire);
    this.#active.set(name, tick);
  }

  /**
   * Whether `tick` may be handled now; called as its message is taken from
   * the mailbox. A one-shot timer ends here.
   */
  admit(tick: TimerTick): boolean {
    tick.pending = false;
    if (!tick.live || this.#active.get(tick.name) !== tick) return false;
    if (!tick.repeat) this.#active.delete(tick.name);
    return true;
  }

  has(name: string): boolean {
    return this.#active.has(name);
  }

  cancel(name: string): void {
    const tick = this.#active.get(name);
    if (!tick) return;
    this.#kill(tick);
    this.#active.delete(name);
  }

  cancelAll(): void {
    for (const tick of this.#active.values()) this.#kill(tick);
    this.#active.clear();
  }

  #kill(tick: TimerTick): void {
    tick.live = false;
    if (tick.handle !== undefined) this.clock.clearTimer(tick.handle);
  }
}
