/**
 * The secondary indexes of an embedded store, kept beside its records: one
 * {@link SortedEntries} per declared index, updated from each commit's changes
 * before they are applied (so the old entry can still be found), and queried a
 * page at a time in O(log n + k).
 * @internal
 */
import type { CheckedQuery, IndexPage, IndexSpec } from './index-query.js';
import { checkQuery, encodeCursor, entryValues, InvalidQueryError, parseIndexSpec } from './index-query.js';
import type { RecordChange } from './record-index.js';
import { SortedEntries, type Probe } from './sorted-entries.js';
import type { StoredRecord } from './types.js';

interface LiveIndex {
  readonly spec: IndexSpec;
  readonly entries: SortedEntries;
}

/** Reads one acknowledged record. @internal */
export type RecordReader = (collection: string, key: string) => StoredRecord | undefined;

/** @internal */
export class SecondaryIndexes {
  readonly #byCollection = new Map<string, Map<string, LiveIndex>>();

  /**
   * Declares `spec` on `collection`, indexing `existing` records. Declaring
   * the same index again is a no-op; the same name with other fields is
   * refused, since pages would silently change order.
   */
  define(collection: string, spec: unknown, existing: Iterable<StoredRecord>): void {
    const checked = parseIndexSpec(spec);
    let indexes = this.#byCollection.get(collection);
    const known = indexes?.get(checked.name);
    if (known) {
      if (JSON.stringify(known.spec.fields) === JSON.stringify(checked.fields)) return;
      throw new InvalidQueryError(`Index ${collection}/${checked.name} is already declared over other fields; give the new one another name.`);
    }
    const entries = [];
    for (const record of existing) {
      const values = entryValues(checked, record.value);
      if (values) entries.push({ values, key: record.key });
    }
    if (!indexes) this.#byCollection.set(collection, (indexes = new Map()));
    indexes.set(checked.name, { spec: checked, entries: SortedEntries.build(entries) });
  }

  /** Moves the entries of every changed record; call before the changes reach the records. */
  apply(changes: readonly RecordChange[], read: RecordReader): void {
    if (this.#byCollection.size === 0) return;
    for (const { collection, key, record } of changes) {
      const indexes = this.#byCollection.get(collection);
      if (!indexes) continue;
      const before = read(collection, key);
      for (const { spec, entries } of indexes.values()) {
        const old = before && entryValues(spec, before.value);
        const next = record && entryValues(spec, record.value);
        if (old && next && sameValues(old, next)) continue;
        if (old) entries.remove({ values: old, key });
        if (next) entries.insert({ values: next, key });
      }
    }
  }

  /** One page of `collection`'s index `name`; throws `ERR_INVALID_QUERY` for an unknown index or a bad query. */
  query<T>(collection: string, name: string, query: unknown, read: RecordReader): IndexPage<T> {
    const index = this.#byCollection.get(collection)?.get(name);
    if (!index) throw new InvalidQueryError(`No index ${collection}/${name}: declare it with defineIndex('${collection}', { name: '${name}', fields }) first.`);
    const checked = checkQuery(collection, index.spec, query);
    const found = index.entries.range(lowerProbe(checked), upperProbe(checked), checked.limit);
    const records = found.map((entry) => read(collection, entry.key) as StoredRecord<T>);
    const last = found[found.length - 1];
    return last && found.length === checked.limit ? { records, next: encodeCursor(last.values, last.key) } : { records };
  }
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.every((value, i) => value === b[i]);
}

/** The later of the range's lower bound and the cursor. */
function lowerProbe(q: CheckedQuery): Probe {
  const bound: Probe = q.lower
    ? { values: [...q.eq, q.lower.value], side: q.lower.inclusive ? 'before' : 'after' }
    : { values: q.eq, side: 'before' };
  if (!q.after) return bound;
  const cursor: Probe = { values: q.after[0], key: q.after[1], side: 'after' };
  // The cursor came from an entry; if that entry lies before the bound, the bound is the later point.
  return compareProbes(cursor, bound) >= 0 ? cursor : bound;
}

function upperProbe(q: CheckedQuery): Probe | undefined {
  if (q.upper) return { values: [...q.eq, q.upper.value], side: q.upper.inclusive ? 'after' : 'before' };
  return q.eq.length > 0 ? { values: q.eq, side: 'after' } : undefined;
}

/** Orders a cursor probe (a full entry) against a bound probe. */
function compareProbes(cursor: Probe, bound: Probe): number {
  for (let i = 0; i < bound.values.length; i++) {
    const a = cursor.values[i];
    const b = bound.values[i];
    if (a === b) continue;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return (a as string) < (b as string) ? -1 : 1;
  }
  return bound.side === 'after' ? -1 : 1;
}
