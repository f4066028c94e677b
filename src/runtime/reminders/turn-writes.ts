/**
 * Writes a turn made besides its state (reminders, owned child records),
 * staged until the turn ends: `ctx.save()` takes them into its own commit, so
 * they land atomically with the state; a turn that does not save commits them
 * on their own before its reply. A failed turn drops them with its state.
 * @internal
 */
import type { WriteOp } from '../ports/index.js';
import { REMINDERS_COLLECTION } from './reminder-record.js';

/** @internal */
export class TurnWrites {
  #ops: WriteOp[] = [];
  /** The earliest due time among staged reminders (Infinity: none, or only cancels). */
  #earliestDue = Infinity;

  get size(): number {
    return this.#ops.length;
  }

  stage(op: WriteOp, dueAt?: number): void {
    // A later write of the same record replaces an earlier one of this turn.
    this.#ops = this.#ops.filter((staged) => staged.collection !== op.collection || staged.key !== op.key);
    this.#ops.push(op);
    if (dueAt !== undefined) this.#earliestDue = Math.min(this.#earliestDue, dueAt);
  }

  /** The staged write of `(collection, key)`, if this turn made one. */
  find(collection: string, key: string): WriteOp | undefined {
    return this.#ops.find((op) => op.collection === collection && op.key === key);
  }

  /** The staged writes of one collection. */
  staged(collection: string): WriteOp[] {
    return this.#ops.filter((op) => op.collection === collection);
  }

  /** Takes every staged write, with whether reminders changed and the earliest new due time. */
  take(): { readonly ops: WriteOp[]; readonly reminders: boolean; readonly earliestDue: number } {
    const ops = this.#ops;
    const taken = { ops, reminders: ops.some((op) => op.collection === REMINDERS_COLLECTION), earliestDue: this.#earliestDue };
    this.#ops = [];
    this.#earliestDue = Infinity;
    return taken;
  }

  clear(): void {
    this.#ops = [];
    this.#earliestDue = Infinity;
  }
}

/**
 * Commits what a turn staged on its own (the turn did not save), then tells
 * the reminder service of any reminder that changed.
 * @internal
 */
export async function commitStaged(writes: TurnWrites, commit: (ops: WriteOp[]) => Promise<unknown>, remindersChanged: (earliestDue: number) => void): Promise<void> {
  const staged = writes.take();
  await commit(staged.ops);
  if (staged.reminders) remindersChanged(staged.earliestDue);
}
