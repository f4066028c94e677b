/**
 * The leases one node holds, over a {@link LeaseTable} (PostgreSQL, or memory
 * under the simulator). The table's clock is the only one that decides expiry
 * and takeover; a node only ever shortens its own view, taking a lease as
 * lost at its own send time + ttl − margin (a monotonic clock), so it stops
 * writing before the table could hand the lease to anyone else.
 */
import type { Fence } from '../persistence/pg-fence.js';
import { LeaseExpiredError } from './errors.js';
import { entityId, type LeaseTable } from './lease-table.js';

/**
 * A lease this node holds. It is also the fence of the writes made under it.
 *
 * @example
 * ```ts
 * declare const leases: Leases;
 * declare const store: PgStore;
 * const outcome = await leases.acquire('cook', 'c-1');
 * if (outcome.held) await store.commit(batch, { fence: outcome.lease });
 * ```
 */
export interface Lease extends Fence {
  /** `performance.now()` past which this node treats the lease as lost. */
  readonly validUntil: number;
}

/**
 * The outcome of {@link Leases.acquire}.
 *
 * @example
 * ```ts
 * declare const leases: Leases;
 * const outcome = await leases.acquire('cook', 'c-1');
 * if (!outcome.held) console.log(`owned by ${outcome.owner} for ${outcome.remainingMs} ms more`);
 * ```
 */
export type AcquireOutcome =
  /** `replaced`: the lease this node held on the entity before at an older token (expired by its own clock): whatever ran under it must stop. */
  | { readonly held: true; readonly lease: Lease; readonly replaced?: Lease }
  | { readonly held: false; readonly owner: string; readonly remainingMs: number };

/**
 * Options of {@link Leases}.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * new Leases({ table: new MemoryLeaseTable(clock), node: 'node-a', ttlMs: 10_000, marginMs: 2_000, now: () => clock.monotonic() });
 * ```
 */
export interface LeasesOptions {
  /** Where the leases are: {@link PgLeaseTable} (the PgStore's schema) or {@link MemoryLeaseTable}. */
  readonly table: LeaseTable;
  /** This node's id, unique per process incarnation. */
  readonly node: string;
  /** Lease length, by PostgreSQL's clock. Default 10 s. */
  readonly ttlMs?: number;
  /** How much sooner than `ttlMs` this node gives a lease up: bounds clock rate drift and latency. Default ttl / 5. */
  readonly marginMs?: number;
  /** Reads the monotonic clock. Default `performance.now`. */
  readonly now?: () => number;
}

/**
 * The leases one node holds, acquired, renewed in one statement for all, and released.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1/app' });
 * const leases = new Leases({ table: new PgLeaseTable({ pool, schema: 'steward' }), node: 'node-a' });
 * const outcome = await leases.acquire('cook', 'c-1');
 * setInterval(() => void leases.renew(), 3_000).unref(); // one statement per interval
 * await leases.releaseAll(); // on stop
 * ```
 */
export class Leases {
  readonly #table: LeaseTable;
  readonly #node: string;
  readonly #ttlMs: number;
  readonly #marginMs: number;
  readonly #now: () => number;
  readonly #held = new Map<string, Lease>();
  /** Acquisitions under way: a second one for the same entity joins the first (each would add one to the token). */
  readonly #acquiring = new Map<string, Promise<AcquireOutcome>>();

  constructor(options: LeasesOptions) {
    this.#table = options.table;
    this.#node = options.node;
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#marginMs = options.marginMs ?? this.#ttlMs / 5;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The leases this node believes it holds. */
  held(): Lease[] {
    return [...this.#held.values()];
  }

  /** Takes `(type, key)` if it is free, released or expired (by the table's clock), with the next token. Concurrent calls for one entity share one statement. */
  acquire(type: string, key: string): Promise<AcquireOutcome> {
    const id = entityId(type, key);
    const under = this.#acquiring.get(id);
    if (under) return under;
    const acquiring = this.#acquire(type, key).finally(() => this.#acquiring.delete(id));
    this.#acquiring.set(id, acquiring);
    return acquiring;
  }

  async #acquire(type: string, key: string): Promise<AcquireOutcome> {
    const sent = this.#now();
    const row = await this.#table.acquire(type, key, this.#node, this.#ttlMs);
    if ('owner' in row) return { held: false, owner: row.owner ?? 'none', remainingMs: row.remainingMs };
    const lease: Lease = Object.freeze({ type, key, node: this.#node, token: row.token, validUntil: sent + this.#ttlMs - this.#marginMs });
    const before = this.#held.get(entityId(type, key));
    this.#held.set(entityId(type, key), lease);
    return before && before.token !== lease.token ? { held: true, lease, replaced: before } : { held: true, lease };
  }

  /**
   * Extends every lease this node holds, in one statement. A lease that
   * the table no longer has live at its token is dropped and returned: it
   * expired, or another node took it over.
   */
  async renew(): Promise<Lease[]> {
    const held = this.held();
    if (held.length === 0) return [];
    const sent = this.#now();
    const renewed = new Set((await this.#table.renew(this.#node, this.#ttlMs, held)).map((lease) => entityId(lease.type, lease.key)));
    const lost: Lease[] = [];
    for (const lease of held) {
      const id = entityId(lease.type, lease.key);
      if (this.#held.get(id) !== lease) continue; // released or re-acquired meanwhile
      if (renewed.has(id)) this.#held.set(id, Object.freeze({ ...lease, validUntil: sent + this.#ttlMs - this.#marginMs }));
      else {
        this.#held.delete(id);
        lost.push(lease);
      }
    }
    return lost;
  }

  /** The lease on `(type, key)` this node believes it holds, whatever its own clock says of it now. */
  lease(type: string, key: string): Lease | undefined {
    return this.#held.get(entityId(type, key));
  }

  /** Drops the lease on `(type, key)` at `token` from this node's view without a statement (a fenced write proved it gone). */
  forget(type: string, key: string, token: number): void {
    if (this.#held.get(entityId(type, key))?.token === token) this.#held.delete(entityId(type, key));
  }

  /** The current lease of `(type, key)` if this node still holds it by its own clock. */
  live(type: string, key: string): Lease | undefined {
    const lease = this.#held.get(entityId(type, key));
    return lease && this.#now() < lease.validUntil ? lease : undefined;
  }

  /** The current lease of `(type, key)` if this node still holds it by its own clock; throws `ERR_LEASE_EXPIRED` otherwise. */
  valid(type: string, key: string): Lease {
    const lease = this.live(type, key);
    if (lease) return lease;
    throw new LeaseExpiredError(`${this.#node} no longer holds a live lease on ${type}/${key}; it must not write or acknowledge for it.`);
  }

  /** Gives `(type, key)` up at once (passivation): the row stays, with its token, for the next owner. */
  async release(type: string, key: string): Promise<void> {
    const lease = this.#held.get(entityId(type, key));
    if (!lease) return;
    this.#held.delete(entityId(type, key));
    await this.#table.release(this.#node, [lease]);
  }

  /** Releases every lease this node holds, in one statement (stop). */
  async releaseAll(): Promise<void> {
    const held = this.held();
    this.#held.clear();
    if (held.length === 0) return;
    await this.#table.release(this.#node, held);
  }
}
