/**
 * A sorted list of index entries kept as a list of short sorted chunks (the
 * layout of Python's sortedcontainers): finding a position is two binary
 * searches, O(log n); an insert or removal moves at most one chunk's worth of
 * references; reading k entries from a position is O(k). No full sort, ever,
 * after the one bulk build.
 * @internal
 */
import type { IndexValue } from './index-query.js';

/** One indexed record: its field values in index order, and its key (the tie-breaker). @internal */
export interface IndexEntry {
  readonly values: readonly IndexValue[];
  readonly key: string;
}

/**
 * A point between entries: before or after every entry whose leading values
 * equal `values` (and whose key equals `key`, when given).
 * @internal
 */
export interface Probe {
  readonly values: readonly IndexValue[];
  readonly key?: string;
  readonly side: 'before' | 'after';
}

const MAX_CHUNK = 1_024;

function compareValue(a: IndexValue, b: IndexValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Total order of entries: values, then key. @internal */
export function compareEntries(a: IndexEntry, b: IndexEntry): number {
  for (let i = 0; i < a.values.length; i++) {
    const c = compareValue(a.values[i] as IndexValue, b.values[i] as IndexValue);
    if (c !== 0) return c;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Where `entry` lies relative to `probe`: negative before it, positive after it (never 0). @internal */
export function compareToProbe(entry: IndexEntry, probe: Probe): number {
  for (let i = 0; i < probe.values.length; i++) {
    const c = compareValue(entry.values[i] as IndexValue, probe.values[i] as IndexValue);
    if (c !== 0) return c;
  }
  if (probe.key !== undefined) {
    if (entry.key !== probe.key) return entry.key < probe.key ? -1 : 1;
  }
  return probe.side === 'after' ? -1 : 1;
}

/** @internal */
export class SortedEntries {
  #chunks: IndexEntry[][] = [];
  #size = 0;

  /** Builds from unsorted entries with one sort (declaring an index over existing records). */
  static build(entries: IndexEntry[]): SortedEntries {
    const list = new SortedEntries();
    entries.sort(compareEntries);
    for (let i = 0; i < entries.length; i += MAX_CHUNK / 2) list.#chunks.push(entries.slice(i, i + MAX_CHUNK / 2));
    list.#size = entries.length;
    return list;
  }

  get size(): number {
    return this.#size;
  }

  insert(entry: IndexEntry): void {
    this.#size += 1;
    if (this.#chunks.length === 0) {
      this.#chunks.push([entry]);
      return;
    }
    const c = Math.min(this.#chunkAfter((e) => compareEntries(e, entry) >= 0), this.#chunks.length - 1);
    const chunk = this.#chunks[c] as IndexEntry[];
    chunk.splice(lowerBound(chunk, (e) => compareEntries(e, entry) >= 0), 0, entry);
    if (chunk.length > MAX_CHUNK) this.#chunks.splice(c + 1, 0, chunk.splice(MAX_CHUNK / 2));
  }

  /** Removes the entry equal to `entry`; returns false if there is none. */
  remove(entry: IndexEntry): boolean {
    const c = this.#chunkAfter((e) => compareEntries(e, entry) >= 0);
    const chunk = this.#chunks[c];
    if (!chunk) return false;
    const i = lowerBound(chunk, (e) => compareEntries(e, entry) >= 0);
    const found = chunk[i];
    if (!found || compareEntries(found, entry) !== 0) return false;
    chunk.splice(i, 1);
    if (chunk.length === 0) this.#chunks.splice(c, 1);
    this.#size -= 1;
    return true;
  }

  /** Up to `limit` entries after `lower` and before `upper`, in order. */
  range(lower: Probe, upper: Probe | undefined, limit: number): IndexEntry[] {
    const out: IndexEntry[] = [];
    const isAfterLower = (e: IndexEntry) => compareToProbe(e, lower) > 0;
    let c = this.#chunkAfter(isAfterLower);
    let chunk = this.#chunks[c];
    if (!chunk) return out;
    let i = lowerBound(chunk, isAfterLower);
    while (chunk && out.length < limit) {
      if (i >= chunk.length) {
        chunk = this.#chunks[++c];
        i = 0;
        continue;
      }
      const entry = chunk[i++] as IndexEntry;
      if (upper && compareToProbe(entry, upper) > 0) break;
      out.push(entry);
    }
    return out;
  }

  /** The first chunk whose last entry satisfies `pred` (monotone), or the chunk count. */
  #chunkAfter(pred: (entry: IndexEntry) => boolean): number {
    let lo = 0;
    let hi = this.#chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.#chunks[mid] as IndexEntry[];
      if (pred(chunk[chunk.length - 1] as IndexEntry)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** First index in sorted `items` satisfying the monotone `pred`. */
function lowerBound<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(items[mid] as T)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
