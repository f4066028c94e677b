import type { AbortListener } from './task-pool.js';

/**
 * A one-shot "stop this task" signal, much cheaper than an AbortController
 * (which costs an EventTarget per task, measurable at 30k tasks/s). It has
 * both the EventEmitter shape piscina accepts as a `signal`, so piscina itself
 * stops the thread of a running task when it fires, and the `addEventListener`
 * shape of a {@link TaskSignal}, so `ctx.startTask` can pass one as a run's
 * `signal` instead of an AbortController's.
 * @internal
 */
export class StopSignal {
  aborted = false;
  reason: unknown = undefined;
  // Nearly always one listener, which gets a field: an array would cost more than the signal itself.
  #first: AbortListener | undefined;
  #more: AbortListener[] | undefined;

  once(_event: 'abort', listener: AbortListener): this {
    if (this.aborted) return this;
    if (this.#first === undefined) this.#first = listener;
    else (this.#more ??= []).push(listener);
    return this;
  }

  off(_event: 'abort', listener: AbortListener): this {
    if (this.#first === listener) {
      this.#first = this.#more?.shift();
      return this;
    }
    const index = this.#more?.indexOf(listener) ?? -1;
    if (index >= 0) this.#more?.splice(index, 1);
    return this;
  }

  /** piscina calls `removeListener` (its types say `off`). */
  removeListener(event: 'abort', listener: AbortListener): this {
    return this.off(event, listener);
  }

  /** Every listener is called at most once: the signal fires only once. */
  addEventListener(event: 'abort', listener: AbortListener): void {
    this.once(event, listener);
  }

  removeEventListener(event: 'abort', listener: AbortListener): void {
    this.off(event, listener);
  }

  /** Fires the listeners once, in the order they were added. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const first = this.#first;
    const more = this.#more;
    this.#first = this.#more = undefined;
    if (first) call(first);
    if (more) for (const listener of more) call(listener);
  }
}

function call(listener: AbortListener): void {
  if (typeof listener === 'function') listener();
  else listener.handleEvent();
}
