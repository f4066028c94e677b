/**
 * The runtime's ownership port on leases: an actor activates only under a
 * lease this node holds, its writes carry that lease as their fence, and the
 * actor is deactivated the moment the lease is lost: a renewal that finds it
 * gone, this node's own clock passing its validity, or a write the store
 * fenced.
 */
import { realClock, type Clock, type Fence, type OwnershipControl, type OwnershipPort, type TimerHandle } from '../runtime/ports/index.js';
import { InvalidConfigError } from '../errors.js';
import { NotOwnerError } from './errors.js';
import type { AcquireOutcome, Lease, Leases } from './leases.js';

/**
 * Options of {@link LeaseOwnership}.
 *
 * @example
 * ```ts
 * declare const leases: Leases;
 * new LeaseOwnership(leases, { renewEveryMs: 3_000, checkEveryMs: 1_000 });
 * ```
 */
export interface LeaseOwnershipOptions {
  /** One renewal statement for every held lease this often. */
  readonly renewEveryMs: number;
  /** How often this node's own clock is checked against each lease's validity (shorter than the lease margin). */
  readonly checkEveryMs: number;
  /** Where the renewal and check timers run (the simulator's virtual clock). Default the real clock. */
  readonly clock?: Clock;
}

/**
 * Implements the runtime's `OwnershipPort` with {@link Leases}.
 *
 * @example
 * ```ts
 * declare const leases: Leases;
 * const ownership = new LeaseOwnership(leases, { renewEveryMs: 3_000, checkEveryMs: 1_000 });
 * const system = new ActorSystem({ persistence, ownership });
 * ownership.start();
 * ```
 */
export class LeaseOwnership implements OwnershipPort {
  readonly #leases: Leases;
  readonly #options: LeaseOwnershipOptions;
  #control: OwnershipControl | undefined;
  /** The renewal and check timers, while armed: only while this node holds a lease (an idle node sets no timer). */
  readonly #timers: Array<TimerHandle | undefined> = [];
  #running = false;
  #renewing = false;

  constructor(leases: Leases, options: LeaseOwnershipOptions) {
    this.#leases = leases;
    this.#options = options;
  }

  attach(control: OwnershipControl): void {
    this.#control = control;
  }

  /**
   * Hands a message to this node's actor `(type, key)` (its system's
   * {@link OwnershipControl.deliver}); `ERR_INVALID_CONFIG` before a system attached.
   */
  deliver(type: string, key: string, message: string, payload: unknown, mode: 'tell' | 'ask', timeoutMs: number): Promise<unknown> {
    if (!this.#control) return Promise.reject(new InvalidConfigError('no actor system uses this ownership port yet'));
    return this.#control.deliver(type, key, message, payload, mode, timeoutMs);
  }

  /** Whether this node's system has an actor type of that name. */
  knows(type: string): boolean {
    return this.#control?.knows(type) ?? false;
  }

  /** Throws `ERR_INVALID_MESSAGE` if this node's system would refuse the message as bad input (see {@link OwnershipControl.check}). */
  check(type: string, message: string, payload: unknown): void {
    if (!this.#control) throw new InvalidConfigError('no actor system uses this ownership port yet');
    this.#control.check(type, message, payload);
  }

  /** The lease on `(type, key)` this node holds and may still act under by its own clock. */
  live(type: string, key: string): Lease | undefined {
    return this.#leases.live(type, key);
  }

  /** Whether this node still holds the lease at `fence`'s token by its own clock (asked before every turn of its actor). */
  stands(fence: Fence): boolean {
    return this.live(fence.type, fence.key)?.token === fence.token;
  }

  /** Takes `(type, key)` unless another live node holds it: then `ERR_NOT_OWNER`, naming the owner. */
  async claim(type: string, key: string): Promise<Fence> {
    const held = this.live(type, key);
    // Armed on either path: the router may have acquired the lease just before delivering here.
    if (held) {
      this.#arm();
      return held;
    }
    const outcome = await this.acquire(type, key);
    if (outcome.held) return outcome.lease;
    throw new NotOwnerError(`${type}/${key} is owned by ${outcome.owner} for ${Math.ceil(outcome.remainingMs)} ms more.`);
  }

  /**
   * Takes `(type, key)` if it is free or expired (the router's way in as
   * well as the claim's). Taken anew over a lease this node held at an older
   * token (run out by its own clock before a check noticed), the actor still
   * running under the old token is deactivated first: it must not act next
   * to its successor.
   */
  async acquire(type: string, key: string): Promise<AcquireOutcome> {
    const outcome = await this.#leases.acquire(type, key);
    if (!outcome.held) return outcome;
    if (outcome.replaced) this.#lost(outcome.replaced, 'ERR_LEASE_EXPIRED');
    this.#arm();
    return outcome;
  }

  release(fence: Fence): void {
    if (this.#leases.lease(fence.type, fence.key)?.token !== fence.token) return; // lost already, or a successor's lease
    void this.#leases.release(fence.type, fence.key).catch(() => undefined); // unreleased, it expires by itself
  }

  /** A write under `fence` was refused (`ERR_FENCED`): the lease is gone, and so is the actor that wrote under it. */
  fenced(fence: Fence): void {
    this.#lost(fence, 'ERR_FENCED');
  }

  /** Starts renewing and checking the held leases (from the first one acquired on). */
  start(): void {
    this.#running = true;
    this.#arm();
  }

  /** Stops renewing; the held leases are released by {@link Leases.releaseAll} or expire. */
  stop(): void {
    this.#running = false;
    const clock = this.#options.clock ?? realClock;
    for (const timer of this.#timers.splice(0)) if (timer !== undefined) clock.clearTimer(timer);
  }

  #arm(): void {
    if (!this.#running || this.#leases.held().length === 0) return;
    this.#every(0, this.#options.renewEveryMs, () => void this.#renew());
    this.#every(1, this.#options.checkEveryMs, () => this.#checkClock());
  }

  /** Calls `tick` every `intervalMs` (its timer in slot `slot`, unless already there) while this node holds a lease, until {@link stop}. */
  #every(slot: number, intervalMs: number, tick: () => void): void {
    if (this.#timers[slot] !== undefined) return;
    const clock = this.#options.clock ?? realClock;
    this.#timers[slot] = clock.setTimer(intervalMs, () => {
      this.#timers[slot] = undefined;
      if (!this.#running) return;
      tick();
      if (this.#leases.held().length > 0) this.#every(slot, intervalMs, tick);
    });
  }

  async #renew(): Promise<void> {
    if (this.#renewing) return; // a renewal slower than the interval: never stack them
    this.#renewing = true;
    try {
      for (const lease of await this.#leases.renew()) this.#lost(lease, 'ERR_LEASE_EXPIRED');
    } catch {
      // Unreachable database: the leases run out by this node's own clock (#checkClock), before PostgreSQL's.
    } finally {
      this.#renewing = false;
    }
  }

  #checkClock(): void {
    for (const lease of this.#leases.held()) if (!this.live(lease.type, lease.key)) this.#lost(lease, 'ERR_LEASE_EXPIRED');
  }

  /** The lease at this token is gone: forgotten (if still current) and its actor, if it runs under that token, deactivated. */
  #lost(lease: Fence, code: string): void {
    this.#leases.forget(lease.type, lease.key, lease.token);
    void this.#control?.deactivate(lease.type, lease.key, code, lease.token);
  }
}
