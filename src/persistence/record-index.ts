/**
 * The in-memory state every embedded store keeps: collections of immutable
 * records, the pure planning step that turns a batch into changes (checking
 * revisions), and applying those changes. Planning never mutates, so a batch
 * that fails leaves the index exactly as it was.
 * @internal
 */
import { InvalidWriteError, RecordNotFoundError, RevisionConflictError } from './errors.js';
import { freezeJson } from './json-value.js';
import { SortedKeys } from './sorted-keys.js';
import type { QueryOptions, RevisionEntry, StoredRecord, WriteOp } from './types.js';
import { recordId } from './write-ops.js';

/** The state of one key after a batch: a new record, or `undefined` once deleted. @internal */
export interface RecordChange {
  readonly collection: string;
  readonly key: string;
  readonly record: StoredRecord | undefined;
}

/** A checked batch: the final change per key and the revisions to report. @internal */
export interface BatchPlan {
  readonly changes: readonly RecordChange[];
  readonly revisions: readonly RevisionEntry[];
}

/** Reads the current record of a key, before the batch being planned. @internal */
export type RecordLookup = (collection: string, key: string) => StoredRecord | undefined;

/**
 * Plans validated `ops` against `lookup`, op by op, each seeing the effect of
 * the ones before it (so merging several requests equals running them in
 * order). Throws {@link RevisionConflictError} or {@link RecordNotFoundError}.
 * @internal
 */
export function planBatch(ops: readonly WriteOp[], lookup: RecordLookup, now: number): BatchPlan {
  // Most batches write one record: the overlay of earlier ops' effects matters only beyond that.
  const single = ops.length === 1 ? (ops[0] as WriteOp) : undefined;
  const changes = single
    ? [{ collection: single.collection, key: single.key, record: planOp(single, 0, lookup(single.collection, single.key), now) }]
    : planOverlaid(ops, lookup, now);
  return { changes, revisions: changes.map(({ collection, key, record }) => ({ collection, key, revision: record?.revision ?? 0 })) };
}

/** Plans op by op, each against the record the earlier ops of the batch left; one change per key. */
function planOverlaid(ops: readonly WriteOp[], lookup: RecordLookup, now: number): RecordChange[] {
  const overlay = new Map<string, RecordChange>();
  for (let index = 0; index < ops.length; index++) {
    const op = ops[index] as WriteOp;
    const id = recordId(op.collection, op.key);
    const pending = overlay.get(id);
    const before = pending ? pending.record : lookup(op.collection, op.key);
    overlay.set(id, { collection: op.collection, key: op.key, record: planOp(op, index, before, now) });
  }
  return [...overlay.values()];
}

/** The record `op` leaves behind, given the one `before` it (`undefined`: deleted), or the error that refuses the batch. */
function planOp(op: WriteOp, index: number, before: StoredRecord | undefined, now: number): StoredRecord | undefined {
  const revision = before?.revision ?? 0;
  if (op.expectedRevision !== undefined && op.expectedRevision !== revision) {
    throw new RevisionConflictError(
      `Revision conflict on ${op.collection}/${op.key} (batch[${index}] ${op.op}): expected revision ${op.expectedRevision}, found ${revision}; nothing in the batch was written.`,
    );
  }
  if (op.op === 'delete') return undefined;
  if (op.op === 'put') return Object.freeze({ collection: op.collection, key: op.key, revision: revision + 1, value: op.value, updatedAt: now });
  if (!before) {
    throw new RecordNotFoundError(`Cannot patch ${op.collection}/${op.key} (batch[${index}]): no such record; nothing in the batch was written.`);
  }
  if (typeof before.value !== 'object' || before.value === null || Array.isArray(before.value)) {
    throw new InvalidWriteError(`Cannot patch ${op.collection}/${op.key} (batch[${index}]): its value is not an object.`);
  }
  const merged = freezeJson({ ...before.value, ...op.patch }, () => `batch[${index}] (${op.collection}/${op.key})`);
  return Object.freeze({ collection: op.collection, key: op.key, revision: revision + 1, value: merged, updatedAt: now });
}

/**
 * Collections of records keyed by `(collection, key)`, each with its keys in
 * order (a {@link SortedKeys}), so a query page is O(log n + k).
 * @internal
 */
export class RecordIndex {
  readonly #collections = new Map<string, Map<string, StoredRecord>>();
  readonly #order = new Map<string, SortedKeys>();
  #size = 0;

  /** Number of records across all collections. */
  get size(): number {
    return this.#size;
  }

  /** Every non-empty collection with its record count, by name. */
  collections(): { readonly name: string; readonly records: number }[] {
    return [...this.#collections]
      .filter(([, records]) => records.size > 0)
      .map(([name, records]) => ({ name, records: records.size }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  get(collection: string, key: string): StoredRecord | undefined {
    return this.#collections.get(collection)?.get(key);
  }

  /** Records in key order from the first key past `after` (or the first with `prefix`), at most `limit`. */
  query(collection: string, options: QueryOptions = {}): StoredRecord[] {
    const records = this.#collections.get(collection);
    const order = this.#order.get(collection);
    if (!records || !order) return [];
    const { prefix, after } = options;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const picked: StoredRecord[] = [];
    if (limit <= 0) return picked;
    // Keys with a prefix are contiguous and start at the prefix itself: seek there, or past `after` if that is later.
    const seekAfter = after !== undefined && (prefix === undefined || after >= prefix);
    for (const key of order.from(seekAfter ? after : prefix, seekAfter)) {
      if (prefix !== undefined && !key.startsWith(prefix)) break;
      picked.push(records.get(key) as StoredRecord);
      if (picked.length >= limit) break;
    }
    return picked;
  }

  /** Plans `ops` against the current state; see {@link planBatch}. */
  plan(ops: readonly WriteOp[], now: number): BatchPlan {
    return planBatch(ops, (collection, key) => this.get(collection, key), now);
  }

  apply(changes: readonly RecordChange[]): void {
    for (const { collection, key, record } of changes) {
      let records = this.#collections.get(collection);
      if (record) {
        if (!records) {
          this.#collections.set(collection, (records = new Map()));
          this.#order.set(collection, new SortedKeys());
        }
        if (!records.has(key)) {
          this.#size += 1;
          (this.#order.get(collection) as SortedKeys).add(key);
        }
        records.set(key, record);
      } else if (records?.delete(key)) {
        this.#size -= 1;
        (this.#order.get(collection) as SortedKeys).delete(key);
        if (records.size === 0) {
          this.#collections.delete(collection);
          this.#order.delete(collection);
        }
      }
    }
  }

  /**
   * A consistent copy of every record, cheap enough to take between two
   * commits: records are immutable, so copying references is a frozen view
   * that later commits cannot change.
   */
  freeze(): Array<readonly [string, readonly StoredRecord[]]> {
    return [...this.#collections].map(([name, records]) => [name, [...records.values()]] as const);
  }
}
