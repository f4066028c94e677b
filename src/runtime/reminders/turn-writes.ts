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
  /** By collection and key: a turn of many writes (a bulk enqueue) stages each in constant time. */
  #ops = new Map<string, WriteOp>();
  /** The earliest due time among staged reminders (Infinity: none, or only cancels). */
  #earliestDue = Infinity;

  get size(): number {
    return this.#ops.size;
  }

  stage(op: WriteOp, dueAt?: number): void {
    // A later write of the same record replaces an earlier one of this turn (and goes last, as it came last).
    const id = idOf(op.collection, op.key);
    this.#ops.delete(id);
    this.#ops.set(id, op);
    if (dueAt !== undefined) this.#earliestDue = Math.min(this.#earliestDue, dueAt);
  }

  /** The staged write of `(collection, key)`, if this turn made one. */
  find(collection: string, key: string): WriteOp | undefined {
    return this.#ops.get(idOf(collection, key));
  }

  /** The staged writes of one collection. */
  staged(collection: string): WriteOp[] {
    return [...this.#ops.values()].filter((op) => op.collection === collection);
  }

  /** Takes every staged write, with whether reminders changed and the earliest new due time. */
  take(): { readonly ops: WriteOp[]; readonly reminders: boolean; readonly earliestDue: number } {
    const ops = [...this.#ops.values()];
    const taken = { ops, reminders: ops.some((op) => op.collection === REMINDERS_COLLECTION), earliestDue: this.#earliestDue };
    this.clear();
    return taken;
  }

  clear(): void {
    this.#ops = new Map();
    this.#earliestDue = Infinity;
  }
}

/** Collection names and keys are non-empty strings without NUL, so the pair joined by one is unambiguous. */
const idOf = (collection: string, key: string): string => `${collection}\u0000${key}`;

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
