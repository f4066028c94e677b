/**
 * A signal that aborts when the caller's does or when `ms` have passed, with
 * a media error as its reason so the step's failure says which happened.
 * @internal
 */
import { realClock } from '../../index.js';
import { MediaTimeoutError } from './errors.js';

export interface TimedSignal {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** @internal */
export function timedSignal(parent: AbortSignal | undefined, ms: number, what: string): TimedSignal {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onAbort, { once: true });
  // an I/O deadline, like a socket timeout: real time is the point here
  const timer = Number.isFinite(ms)
    ? realClock.setTimer(ms, () => controller.abort(new MediaTimeoutError(`${what} exceeded ${ms} ms`, { retryable: true })))
    : undefined;
  return {
    signal: controller.signal,
    dispose() {
      if (timer !== undefined) realClock.clearTimer(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}
