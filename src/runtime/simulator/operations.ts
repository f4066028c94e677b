/**
 * What kind of step an operation is.
 *
 * @example
 * ```ts
 * const untimed = (operation: Operation) => operation.kind !== 'timer';
 * ```
 */
export type OperationKind = 'turn' | 'timer' | 'task' | 'commit' | 'io' | 'action' | 'delivery' | 'fault' | 'boot';

/**
 * One enabled step of a simulated run: something that can happen next. The
 * strategy picks one; running it is the step.
 *
 * @example
 * ```ts
 * const commitsFirst: Strategy = {
 *   name: 'commits-first',
 *   pick: (enabled: readonly Operation[]) => Math.max(0, enabled.findIndex((operation) => operation.kind === 'commit')),
 * };
 * ```
 */
export interface Operation {
  readonly kind: OperationKind;
  /** Who the step belongs to (an actor id, `clock`, `store`, an action): PCT gives owners priorities. */
  readonly owner: string;
  /** Readable and deterministic; the trace, its hash and guided replays are made of labels. */
  readonly label: string;
  run(): void;
  /** The step's failure, where it has one (a failed commit, a crashed task, a failed I/O call). */
  readonly fail?: (error: Error) => void;
  /** Belongs to the world outside the process (a remote service): survives a whole-system crash. */
  readonly external?: boolean;
}

/**
 * The set of enabled operations, in the order they became enabled, so the
 * same choices always mean the same steps.
 * @internal
 */
export class OperationSet {
  // An array, not a Set: the runner reads the whole list every step, and it stays short.
  readonly #pending: Operation[] = [];

  add(operation: Operation): void {
    this.#pending.push(operation);
  }

  /** Removes `operation`; false if it was no longer enabled. */
  take(operation: Operation): boolean {
    const pending = this.#pending;
    const index = pending.indexOf(operation);
    if (index < 0) return false;
    // Shifts the tail down in place: splice would allocate an array of the removed entry, every step,
    // and setting `length` takes a slow path that pop() does not.
    for (let at = index + 1; at < pending.length; at++) pending[at - 1] = pending[at] as Operation;
    pending.pop();
    return true;
  }

  /** The enabled operations, oldest first. A live view: copy it before changing the set. */
  list(): readonly Operation[] {
    return this.#pending;
  }

  /**
   * The enabled operations with `last` (the clock's next timer) kept at the
   * end, in place of the previous one, or none. The runner asks every step,
   * and this keeps that free of copies.
   */
  listWithLast(last: Operation | undefined): readonly Operation[] {
    const pending = this.#pending;
    const previous = this.#last;
    if (previous !== last) {
      this.#last = last;
      if (previous) this.take(previous);
    }
    if (last && pending[pending.length - 1] !== last) {
      this.take(last);
      pending.push(last);
    }
    return pending;
  }

  #last: Operation | undefined;

  /** Drops every operation of the crashed process; the outside world's stay. */
  clearInternal(): void {
    const external = this.#pending.filter((operation) => operation.external);
    this.#pending.splice(0, this.#pending.length, ...external);
  }
}
