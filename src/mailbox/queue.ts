/** Consumed slots tolerated before compacting: high enough that a burst is not copied midway. */
const COMPACT_AFTER = 65_536;

/**
 * A FIFO with O(1) push and shift: an array read from a moving head, compacted
 * once the consumed prefix outweighs what is left. An empty queue holds no
 * array (most mailboxes are empty most of the time), and the first push makes
 * one just big enough for its item: an actor told once never grows a backing
 * store sized for a burst.
 * @internal
 */
export class Queue<T> {
  #items: T[] | undefined;
  #head = 0;

  get length(): number {
    return this.#items === undefined ? 0 : this.#items.length - this.#head;
  }

  push(item: T): void {
    if (this.#items === undefined) this.#items = [item];
    else this.#items.push(item);
  }

  /** The oldest item, left in place. */
  peek(): T | undefined {
    return this.#items?.[this.#head];
  }

  shift(): T | undefined {
    const items = this.#items;
    if (items === undefined) return undefined;
    const item = items[this.#head] as T;
    (items as (T | undefined)[])[this.#head] = undefined;
    this.#head++;
    if (this.#head === items.length) {
      this.#items = undefined;
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER && this.#head * 2 > items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes and returns everything, oldest first. */
  takeAll(): T[] {
    const items = this.#items?.slice(this.#head) ?? [];
    this.#items = undefined;
    this.#head = 0;
    return items;
  }
}
