import { AskTimeoutError } from '../errors.js';
import type { Deadline, Deadlines } from './deadlines.js';

/**
 * The caller's side of an `ask`: settles once, whichever comes first of the
 * reply, the timeout, the abort signal or the actor stopping.
 * @internal
 */
export class PendingReply {
  #settled = false;
  /** The ask's timeout and where it is registered, set by the system. */
  deadline: Deadline | undefined = undefined;
  deadlines: Deadlines | undefined = undefined;
  detachSignal: (() => void) | undefined = undefined;
  /** Set when the actor takes the message for handling: a timeout after that cannot say it was not handled. */
  taken = false;

  constructor(
    private readonly onResolve: (value: unknown) => void,
    private readonly onReject: (error: unknown) => void,
    /** The message type and target, named in a timeout error (`'get' to counter/a`). */
    private readonly type: string,
    private readonly target: { toString(): string },
    private readonly timeoutMs: number,
  ) {}

  get settled(): boolean {
    return this.#settled;
  }

  /** Milliseconds left before the ask times out. */
  remainingMs(): number {
    return this.deadline && this.deadlines ? this.deadlines.remaining(this.deadline) : this.timeoutMs;
  }

  resolve(value: unknown): void {
    if (this.#finish()) this.onResolve(value);
  }

  reject(error: unknown): void {
    if (this.#finish()) this.onReject(error);
  }

  expire(): void {
    this.reject(new AskTimeoutError(`ask '${this.type}' to ${this.target} got no reply within ${this.timeoutMs} ms`, { handled: this.taken ? 'unknown' : false }));
  }

  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    if (this.deadline) this.deadlines?.remove(this.deadline);
    this.detachSignal?.();
    return true;
  }
}
