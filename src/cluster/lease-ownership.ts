/**
 * The runtime's ownership port on leases: an actor activates only under a
 * lease this node holds, its writes carry that lease as their fence, and the
 * actor is deactivated the moment the lease is lost: a renewal that finds it
 * gone, this node's own clock passing its validity, or a write the store
 * fenced.
 */
import type { Fence, OwnershipControl, OwnershipPort } from '../runtime/ports/index.js';
import { NotOwnerError } from './errors.js';
import type { Lease, Leases } from './leases.js';

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
  #timers: NodeJS.Timeout[] = [];
  #renewing = false;

  constructor(leases: Leases, options: LeaseOwnershipOptions) {
    this.#leases = leases;
    this.#options = options;
  }

  attach(control: OwnershipControl): void {
    this.#control = control;
  }

  /** The lease on `(type, key)` this node holds and may still act under by its own clock. */
  live(type: string, key: string): Lease | undefined {
    try {
      return this.#leases.valid(type, key);
    } catch {
      return undefined;
    }
  }

  /** Takes `(type, key)` unless another live node holds it: then `ERR_NOT_OWNER`, naming the owner. */
  async claim(type: string, key: string): Promise<Fence> {
    const held = this.live(type, key);
    if (held) return held;
    const outcome = await this.#leases.acquire(type, key);
    if (outcome.held) return outcome.lease;
    throw new NotOwnerError(`${type}/${key} is owned by ${outcome.owner} for ${Math.ceil(outcome.remainingMs)} ms more.`);
  }

  release(fence: Fence): void {
    if (this.#leases.lease(fence.type, fence.key)?.token !== fence.token) return; // lost already, or a successor's lease
    void this.#leases.release(fence.type, fence.key).catch(() => undefined); // unreleased, it expires by itself
  }

  /** A write under `fence` was refused (`ERR_FENCED`): the lease is gone, and so is its actor. */
  fenced(fence: Fence): void {
    if (this.#leases.lease(fence.type, fence.key)?.token === fence.token) this.#lost(fence, 'ERR_FENCED');
  }

  /** Starts renewing and checking the held leases. */
  start(): void {
    const renew = setInterval(() => void this.#renew(), this.#options.renewEveryMs);
    const check = setInterval(() => this.#checkClock(), this.#options.checkEveryMs);
    renew.unref();
    check.unref();
    this.#timers = [renew, check];
  }

  /** Stops renewing; the held leases are released by {@link Leases.releaseAll} or expire. */
  stop(): void {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
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

  #lost(lease: Fence, code: string): void {
    this.#leases.forget(lease.type, lease.key, lease.token);
    void this.#control?.deactivate(lease.type, lease.key, code);
  }
}
