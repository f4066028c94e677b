import type { Clock, TimerHandle } from './clock.js';

/** Something with a deadline: `expire()` is called if it is still registered when the deadline passes. */
export interface Expirable {
  expire(): void;
}

interface DeadlineList {
  head: Deadline | undefined;
  tail: Deadline | undefined;
  timer: TimerHandle | undefined;
}

/** A registered deadline; `cancel()` it once the thing it guards has settled. */
export class Deadline {
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;

  constructor(
    readonly at: number,
    readonly target: Expirable,
    public list: DeadlineList | undefined,
  ) {}

  cancel(): void {
    const list = this.list;
    if (!list) return;
    this.list = undefined;
    if (this.prev) this.prev.next = this.next;
    else list.head = this.next;
    if (this.next) this.next.prev = this.prev;
    else list.tail = this.prev;
    // The armed timer may now point at a cancelled head; it re-arms when it fires.
  }
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

  add(durationMs: number, target: Expirable): Deadline {
    let list = this.#lists.get(durationMs);
    if (!list) {
      list = { head: undefined, tail: undefined, timer: undefined };
      this.#lists.set(durationMs, list);
    }
    const deadline = new Deadline(this.clock.now() + durationMs, target, list);
    deadline.prev = list.tail;
    if (list.tail) list.tail.next = deadline;
    else list.head = deadline;
    list.tail = deadline;
    if (!list.timer) this.#arm(list);
    return deadline;
  }

  #arm(list: DeadlineList): void {
    const head = list.head;
    list.timer = head ? this.clock.setTimer(head.at - this.clock.now(), () => this.#expire(list)) : undefined;
  }

  #expire(list: DeadlineList): void {
    const now = this.clock.now();
    for (let head = list.head; head && head.at <= now; head = list.head) {
      head.cancel();
      head.target.expire();
    }
    this.#arm(list);
  }
}
