/**
 * A sorted set of strings (code unit order) kept as a list of small sorted
 * chunks: finding a position is two binary searches, O(log n); inserting or
 * deleting moves at most one chunk's worth of entries; reading k keys from a
 * position is O(k). It backs each collection's key order, so a query page
 * costs O(log n + k) instead of sorting every key, and it is the building
 * block for secondary indexes (an index is a sorted set of `value\0key`).
 * @internal
 */

const MAX_CHUNK = 512;

/** Code-unit order, the one `QueryOptions` promises. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** First index in `keys` whose key is >= `key` (or > when `strict`). */
function bound(keys: readonly string[], key: string, strict: boolean): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const order = compare(keys[mid] as string, key);
    if (order < 0 || (strict && order === 0)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Sorted distinct strings with O(log n) insert, delete and seek.
 */
export class SortedKeys {
  #chunks: string[][] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds `key`; false if it was there already. */
  add(key: string): boolean {
    if (this.#chunks.length === 0) {
      this.#chunks.push([key]);
      this.#size = 1;
      return true;
    }
    const at = Math.min(this.#chunkFor(key), this.#chunks.length - 1);
    const chunk = this.#chunks[at] as string[];
    const position = bound(chunk, key, false);
    if (chunk[position] === key) return false;
    chunk.splice(position, 0, key);
    this.#size += 1;
    if (chunk.length > MAX_CHUNK) this.#chunks.splice(at + 1, 0, chunk.splice(chunk.length >> 1));
    return true;
  }

  /** Removes `key`; false if it was not there. */
  delete(key: string): boolean {
    const at = this.#chunkFor(key);
    const chunk = this.#chunks[at];
    if (!chunk) return false;
    const position = bound(chunk, key, false);
    if (chunk[position] !== key) return false;
    chunk.splice(position, 1);
    this.#size -= 1;
    if (chunk.length === 0) this.#chunks.splice(at, 1);
    return true;
  }

  /** Keys from `start` on (after it when `exclusive`), in order. */
  *from(start: string | undefined, exclusive = false): IterableIterator<string> {
    let at = start === undefined ? 0 : this.#chunkFor(start, exclusive);
    let position = start === undefined ? 0 : bound(this.#chunks[at] ?? [], start, exclusive);
    for (; at < this.#chunks.length; at++, position = 0) {
      const chunk = this.#chunks[at] as string[];
      for (; position < chunk.length; position++) yield chunk[position] as string;
    }
  }

  /** The first chunk whose last key is >= `key` (> when `strict`); the chunk count if none. */
  #chunkFor(key: string, strict = false): number {
    let low = 0;
    let high = this.#chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const chunk = this.#chunks[mid] as string[];
      const order = compare(chunk[chunk.length - 1] as string, key);
      if (order < 0 || (strict && order === 0)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
