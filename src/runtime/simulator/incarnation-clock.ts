import type { Clock, TimerHandle } from '../clock.js';
import type { VirtualClock } from '../virtual-clock.js';

/**
 * The view of the virtual clock one system incarnation has. When the
 * simulator crashes the whole system, `kill()` clears every timer the dead
 * incarnation set, so nothing of it fires into the next one.
 * @internal
 */
export class IncarnationClock implements Clock {
  readonly #clock: VirtualClock;
  readonly #handles = new Set<TimerHandle>();
  #alive = true;

  constructor(clock: VirtualClock) {
    this.#clock = clock;
  }

  now(): number {
    return this.#clock.now();
  }

  monotonic(): number {
    return this.#clock.monotonic();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    if (!this.#alive) return {};
    const handle = this.#clock.setTimer(delayMs, () => {
      this.#handles.delete(handle);
      callback();
    });
    this.#handles.add(handle);
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    if (this.#handles.delete(handle)) this.#clock.clearTimer(handle);
  }

  kill(): void {
    this.#alive = false;
    for (const handle of this.#handles) this.#clock.clearTimer(handle);
    this.#handles.clear();
  }
}
