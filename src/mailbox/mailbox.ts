import { Queue } from './queue.js';

/** What happens to a message sent to a full mailbox. */
export type OverflowPolicy = 'reject' | 'drop-oldest' | 'drop-newest';

/** Capacity and overflow policy of a mailbox. */
export interface MailboxOptions {
  /** Most user messages held at once (the system and self lanes are not bounded). Default 10,000. */
  readonly capacity?: number;
  /** Default `reject`. */
  readonly overflow?: OverflowPolicy;
}

/** Outcome of {@link Mailbox.post}. */
export type PostResult<T> =
  | { readonly accepted: true; readonly dropped?: T }
  | { readonly accepted: false; readonly dropped: T };

/** How the mailbox gets its drains run and its messages processed. */
export interface MailboxDriver<T> {
  /** Asks for `drain` to be called later; called at most once until the drain runs. */
  schedule(drain: () => void): void;
  /** Processes one message; the next waits until a returned promise settles. */
  process(message: T): void | PromiseLike<unknown>;
}

const ACCEPTED: PostResult<never> = Object.freeze({ accepted: true });

/** Default capacity of a mailbox. */
export const DEFAULT_MAILBOX_CAPACITY = 10_000;

/**
 * The queue an actor drains: FIFO, one message at a time, bounded, with a
 * system lane that overtakes everything and a self lane (outcomes of the
 * owner's own work) that neither the capacity nor the overflow policy
 * touches. Self and user messages are handed out in the order they arrived:
 * were the self lane to overtake, an owner whose own outcomes keep coming
 * (a repeating timer, a chain of piped work) would starve its callers until
 * their asks time out. It knows nothing of actors, errors or persistence: it
 * queues, and hands messages to `driver.process`.
 *
 * @example
 * ```ts
 * const mailbox = new Mailbox<string>(
 *   { schedule: (drain) => queueMicrotask(drain), process: (m) => console.log(m) },
 *   { capacity: 100, overflow: 'drop-oldest' },
 * );
 * mailbox.post('hello');
 * ```
 */
export class Mailbox<T> {
  readonly #user = new Queue<T>();
  #system: Queue<T> | undefined;
  #self: Queue<T> | undefined;
  /** For each queued self message, how many user messages had been posted before it. */
  #selfAfter: Queue<number> | undefined;
  /** User messages posted, and taken out (handed out, dropped or taken all), since the mailbox was made. */
  #userPosted = 0;
  #userTaken = 0;
  readonly #driver: MailboxDriver<T>;
  readonly #capacity: number;
  readonly #overflow: OverflowPolicy;
  readonly #budget: number;
  #scheduled = false;
  #busy = false;
  #suspended = false;
  /** Ends a turn that returned a promise; made by the first such turn, as many actors never have one. */
  #settled: (() => void) | undefined;

  /** @param budget most messages processed per scheduled drain before yielding. */
  constructor(driver: MailboxDriver<T>, options: MailboxOptions = {}, budget = 64) {
    this.#driver = driver;
    this.#capacity = options.capacity ?? DEFAULT_MAILBOX_CAPACITY;
    this.#overflow = options.overflow ?? 'reject';
    this.#budget = budget;
  }

  /** Messages waiting (all lanes). */
  get depth(): number {
    return this.#user.length + (this.#system?.length ?? 0) + (this.#self?.length ?? 0);
  }

  /** User messages waiting: what the capacity bounds. */
  get userDepth(): number {
    return this.#user.length;
  }

  /** True while a message is being processed. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Queues a user message, applying the overflow policy when full. */
  post(message: T): PostResult<T> {
    if (this.#user.length >= this.#capacity) {
      if (this.#overflow === 'reject' || this.#overflow === 'drop-newest') return { accepted: false, dropped: message };
      const dropped = this.#user.shift() as T;
      this.#userTaken++;
      this.#user.push(message);
      this.#userPosted++;
      this.#wake();
      return { accepted: true, dropped };
    }
    this.#user.push(message);
    this.#userPosted++;
    this.#wake();
    return ACCEPTED;
  }

  /** Queues a message on the system lane: processed before any user message, never dropped. */
  postSystem(message: T): void {
    (this.#system ??= new Queue<T>()).push(message);
    this.#wake();
  }

  /**
   * Queues a message on the self lane: after system messages, in arrival
   * order with user messages, never refused or dropped. Only for messages the
   * owner caused itself (a bounded number: one per piece of work it started).
   */
  postSelf(message: T): void {
    (this.#self ??= new Queue<T>()).push(message);
    (this.#selfAfter ??= new Queue<number>()).push(this.#userPosted);
    this.#wake();
  }

  /** Stops handing out messages (they keep queueing) until {@link resume}. */
  suspend(): void {
    this.#suspended = true;
  }

  resume(): void {
    this.#suspended = false;
    this.#wake();
  }

  /** Removes and returns every queued message, system lane first, then self and user in arrival order. */
  takeAll(): T[] {
    const taken = this.#system?.takeAll() ?? [];
    for (let message = this.#nextOwnOrUser(); message !== undefined; message = this.#nextOwnOrUser()) taken.push(message);
    return taken;
  }

  /** The older of the self lane's and the user lane's heads. */
  #nextOwnOrUser(): T | undefined {
    const self = this.#self;
    // Its head is older than the user lane's once every user message posted before it was taken out.
    if (self !== undefined && self.length > 0 && this.#userTaken >= (this.#selfAfter?.peek() as number)) {
      this.#selfAfter?.shift();
      return self.shift();
    }
    const message = this.#user.shift();
    if (message !== undefined) this.#userTaken++;
    return message;
  }

  #wake(): void {
    if (this.#scheduled || this.#busy || this.#suspended || this.depth === 0) return;
    this.#scheduled = true;
    this.#driver.schedule(this.#drain);
  }

  readonly #drain = (): void => {
    this.#scheduled = false;
    for (let processed = 0; processed < this.#budget && !this.#suspended && !this.#busy; processed++) {
      const message = this.#system?.shift() ?? this.#nextOwnOrUser();
      if (message === undefined) return;
      const pending = this.#driver.process(message);
      if (pending && typeof pending.then === 'function') {
        this.#waitFor(pending);
        return;
      }
    }
    this.#wake();
  };

  /** Holds the next turn until the one in hand settles. */
  #waitFor(pending: PromiseLike<unknown>): void {
    this.#busy = true;
    const settled = (this.#settled ??= () => {
      this.#busy = false;
      this.#wake();
    });
    pending.then(settled, settled);
  }
}
