import type { Deadline } from './deadlines.js';

/**
 * The caller's side of an `ask`: settles once, whichever comes first of the
 * reply, the timeout, the abort signal or the actor stopping.
 * @internal
 */
export class PendingReply {
  #settled = false;
  deadline: Deadline | undefined;
  detachSignal: (() => void) | undefined;

  constructor(
    private readonly onResolve: (value: unknown) => void,
    private readonly onReject: (error: unknown) => void,
  ) {}

  get settled(): boolean {
    return this.#settled;
  }

  resolve(value: unknown): void {
    if (this.#finish()) this.onResolve(value);
  }

  reject(error: unknown): void {
    if (this.#finish()) this.onReject(error);
  }

  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.deadline?.cancel();
    this.detachSignal?.();
    return true;
  }
}
