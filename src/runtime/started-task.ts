import type { TaskReceiver } from './ports/index.js';
import { StopSignal } from './ports/index.js';
import type { Outcome } from './actor-context.js';
import { nextMicrotask } from './microtask.js';

/** Called once per task when its outcome is known. @internal */
export type TaskSettled<TMessage> = (started: StartedTask<TMessage>, outcome: Outcome<unknown>) => void;

/**
 * One task started by `ctx.startTask`: the signal that cancels it and the
 * receiver its pool reports to, in one object. A promise, its reaction and
 * their closures per task were a visible share of the GC work with
 * thousands of tasks in flight.
 * @internal
 */
export class StartedTask<TMessage> implements TaskReceiver<unknown> {
  readonly stop = new StopSignal();
  onSignal: (() => void) | undefined = undefined;

  constructor(
    readonly settled: TaskSettled<TMessage>,
    readonly toMessage: (outcome: Outcome<unknown>) => TMessage,
    readonly signal: AbortSignal | undefined,
    /** Pool and task names and the task's module, for the `task.failed` event. */
    readonly pool: string,
    readonly task: string,
    readonly module: string,
  ) {}

  resolve(value: unknown): void {
    this.settled(this, { ok: true, value });
  }

  /** A refused or cancelled run is rejected from inside startTask or cancel(): as with a promise, its message comes a microtask later. */
  reject(error: Error): void {
    nextMicrotask(() => this.settled(this, { ok: false, error }));
  }
}

/** What `AbortController.abort()` gives as the reason when none is passed. @internal */
export function abortReason(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError');
}
