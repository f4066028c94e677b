const SETTLED = Promise.resolve();

/**
 * Runs `callback` on a later microtask. Like `queueMicrotask`, minus the
 * async-hooks resource Node wraps around each of its callbacks, a measurable
 * cost on paths that run once per message or commit. `callback` must not
 * throw: a throw would surface as an unhandled rejection.
 * @internal
 */
export function nextMicrotask(callback: () => void): void {
  void SETTLED.then(callback);
}
