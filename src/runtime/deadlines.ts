import type { Clock, TimerHandle } from './clock.js';

/** A registered deadline; `cancel()` it once the thing it guards has settled. */
export interface Deadline {
  cancel(): void;
}

interface Entry extends Deadline {
  readonly at: number;
  readonly fire: () => void;
  prev: Entry | undefined;
  next: Entry | undefined;
  list: DeadlineList | undefined;
}

interface DeadlineList {
  head: Entry | undefined;
  tail: Entry | undefined;
  timer: TimerHandle | undefined;
}

/**
 * Many timeouts on one clock timer per distinct duration. Deadlines of one
 * duration fall due in the order they were set, so each duration keeps a
 * doubly linked list (O(1) add and cancel) and arms a single timer for its
 * head. This keeps `ask` off the cost of one `setTimeout` per call.
 * @internal
 */
export class Deadlines {
  readonly #lists = new Map<number, DeadlineList>();

  constructor(private readonly clock: Clock) {}

  add(durationMs: number, fire: () => void): Deadline {
    let list = this.#lists.get(durationMs);
    if (!list) {
      list = { head: undefined, tail: undefined, timer: undefined };
      this.#lists.set(durationMs, list);
    }
    const entry: Entry = {
      at: this.clock.now() + durationMs,
      fire,
      prev: list.tail,
      next: undefined,
      list,
      cancel: () => this.#unlink(entry),
    };
    if (list.tail) list.tail.next = entry;
    else list.head = entry;
    list.tail = entry;
    if (!list.timer) this.#arm(list);
    return entry;
  }

  #unlink(entry: Entry): void {
    const list = entry.list;
    if (!list) return;
    entry.list = undefined;
    if (entry.prev) entry.prev.next = entry.next;
    else list.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else list.tail = entry.prev;
    // The armed timer may now point at a cancelled head; it re-arms when it fires.
  }

  #arm(list: DeadlineList): void {
    const head = list.head;
    list.timer = head ? this.clock.setTimer(head.at - this.clock.now(), () => this.#expire(list)) : undefined;
  }

  #expire(list: DeadlineList): void {
    const now = this.clock.now();
    for (let head = list.head; head && head.at <= now; head = list.head) {
      this.#unlink(head);
      head.fire();
    }
    this.#arm(list);
  }
}
