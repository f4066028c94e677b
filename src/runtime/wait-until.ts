import type { Clock } from './clock.js';

/**
 * Resolves `true` when `condition` (polled once per event-loop turn, or per
 * `defer` call, or a promise) is met, `false` if `deadlineMs` on `clock`
 * passes first.
 * @internal
 */
export function waitUntil(
  clock: Clock,
  deadlineMs: number,
  condition: (() => boolean) | Promise<unknown>,
  defer: (callback: () => void) => void = setImmediate,
): Promise<boolean> {
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
      else defer(poll);
    };
    poll();
  });
}
