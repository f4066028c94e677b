import type { Clock } from './clock.js';

/**
 * Resolves `true` when `condition` (polled on `clock`'s shortest timer, or a
 * promise) is met, `false` if `deadlineMs` on `clock` passes first. Polling
 * on the clock, not the event loop, lets the simulator order a shutdown's
 * drain like any other step.
 * @internal
 */
export function waitUntil(clock: Clock, deadlineMs: number, condition: (() => boolean) | Promise<unknown>): Promise<boolean> {
  if (deadlineMs <= 0) return Promise.resolve(typeof condition === 'function' && condition());
  return new Promise((resolve) => {
    let done = false;
    const finish = (met: boolean) => {
      if (done) return;
      done = true;
      clock.clearTimer(timer);
      resolve(met);
    };
    const timer = clock.setTimer(deadlineMs, () => finish(false));
    if (typeof condition !== 'function') {
      condition.then(() => finish(true), () => finish(true));
      return;
    }
    const poll = () => {
      if (done) return;
      if (condition()) finish(true);
      else clock.setTimer(0, poll);
    };
    poll();
  });
}
