/**
 * Entity leases in PostgreSQL: which node owns `(type, key)`, until when, and
 * under which fencing token. PostgreSQL's `now()` is the only clock that
 * decides expiry and takeover; a node only ever shortens its own view, taking
 * a lease as lost at its own send time + ttl − margin (a monotonic clock), so
 * it stops writing before the database could hand the lease to anyone else.
 * Tokens only grow: every acquisition adds one and a release keeps the row.
 */
import type { Pool } from 'pg';
import type { Fence } from '../persistence/pg-fence.js';
import { quoteSchema } from '../persistence/pg-schema.js';
import { LeaseExpiredError } from './errors.js';

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
export type AcquireOutcome = { readonly held: true; readonly lease: Lease } | { readonly held: false; readonly owner: string; readonly remainingMs: number };

/**
 * Options of {@link Leases}.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1/app' });
 * new Leases({ pool, schema: 'steward', node: 'node-a', ttlMs: 10_000, marginMs: 2_000 });
 * ```
 */
export interface LeasesOptions {
  readonly pool: Pool;
  /** The PgStore's schema (its migrations create the lease table). */
  readonly schema: string;
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
 * const leases = new Leases({ pool, schema: 'steward', node: 'node-a' });
 * const outcome = await leases.acquire('cook', 'c-1');
 * setInterval(() => void leases.renew(), 3_000).unref(); // one statement per interval
 * await leases.releaseAll(); // on stop
 * ```
 */
export class Leases {
  readonly #pool: Pool;
  readonly #table: string;
  readonly #node: string;
  readonly #ttlMs: number;
  readonly #marginMs: number;
  readonly #now: () => number;
  readonly #held = new Map<string, Lease>();
  /** Acquisitions under way: a second one for the same entity joins the first (each would add one to the token). */
  readonly #acquiring = new Map<string, Promise<AcquireOutcome>>();

  constructor(options: LeasesOptions) {
    this.#pool = options.pool;
    this.#table = `${quoteSchema(options.schema)}.steward_leases`;
    this.#node = options.node;
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#marginMs = options.marginMs ?? this.#ttlMs / 5;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The leases this node believes it holds. */
  held(): Lease[] {
    return [...this.#held.values()];
  }

  /** Takes `(type, key)` if it is free, released or expired (by PostgreSQL's clock), with the next token. Concurrent calls for one entity share one statement. */
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
    const { rows } = await this.#pool.query<{ token: string }>(
      `INSERT INTO ${this.#table} AS l (actor_type, actor_key, node_id, token, expires_at)
       VALUES ($1, $2, $3, 1, now() + $4 * interval '1 millisecond')
       ON CONFLICT (actor_type, actor_key) DO UPDATE SET node_id = excluded.node_id, token = l.token + 1, expires_at = excluded.expires_at
       WHERE l.node_id IS NULL OR l.expires_at <= now() OR l.node_id = excluded.node_id
       RETURNING l.token`,
      [type, key, this.#node, this.#ttlMs],
    );
    const row = rows[0];
    if (row) {
      const lease: Lease = Object.freeze({ type, key, node: this.#node, token: Number(row.token), validUntil: sent + this.#ttlMs - this.#marginMs });
      this.#held.set(entityId(type, key), lease);
      return { held: true, lease };
    }
    const owner = await this.#pool.query<{ node_id: string | null; remaining: number }>(
      `SELECT node_id, greatest(0, extract(epoch FROM expires_at - now()) * 1000)::float8 AS remaining FROM ${this.#table} WHERE actor_type = $1 AND actor_key = $2`,
      [type, key],
    );
    const current = owner.rows[0];
    // Freed between the two statements: the caller may simply try again.
    return { held: false, owner: current?.node_id ?? 'none', remainingMs: current?.node_id ? current.remaining : 0 };
  }

  /**
   * Extends every lease this node holds, in one statement. A lease that
   * PostgreSQL no longer has live at its token is dropped and returned: it
   * expired, or another node took it over.
   */
  async renew(): Promise<Lease[]> {
    const held = this.held();
    if (held.length === 0) return [];
    const sent = this.#now();
    const { rows } = await this.#pool.query<{ actor_type: string; actor_key: string }>(
      `UPDATE ${this.#table} AS l SET expires_at = now() + $2 * interval '1 millisecond'
       FROM unnest($3::text[], $4::text[], $5::bigint[]) AS h(actor_type, actor_key, token)
       WHERE l.actor_type = h.actor_type AND l.actor_key = h.actor_key AND l.token = h.token AND l.node_id = $1 AND l.expires_at > now()
       RETURNING l.actor_type, l.actor_key`,
      [this.#node, this.#ttlMs, held.map((lease) => lease.type), held.map((lease) => lease.key), held.map((lease) => lease.token)],
    );
    const renewed = new Set(rows.map((row) => entityId(row.actor_type, row.actor_key)));
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

  /** The current lease of `(type, key)` if this node still holds it by its own clock; throws `ERR_LEASE_EXPIRED` otherwise. */
  valid(type: string, key: string): Lease {
    const lease = this.#held.get(entityId(type, key));
    if (lease && this.#now() < lease.validUntil) return lease;
    throw new LeaseExpiredError(`${this.#node} no longer holds a live lease on ${type}/${key}; it must not write or acknowledge for it.`);
  }

  /** Gives `(type, key)` up at once (passivation): the row stays, with its token, for the next owner. */
  async release(type: string, key: string): Promise<void> {
    const lease = this.#held.get(entityId(type, key));
    if (!lease) return;
    this.#held.delete(entityId(type, key));
    await this.#pool.query(`UPDATE ${this.#table} SET node_id = NULL, expires_at = now() WHERE actor_type = $1 AND actor_key = $2 AND token = $3 AND node_id = $4`, [
      type,
      key,
      lease.token,
      this.#node,
    ]);
  }

  /** Releases every lease this node holds, in one statement (stop). */
  async releaseAll(): Promise<void> {
    const held = this.held();
    this.#held.clear();
    if (held.length === 0) return;
    await this.#pool.query(
      `UPDATE ${this.#table} AS l SET node_id = NULL, expires_at = now()
       FROM unnest($2::text[], $3::text[], $4::bigint[]) AS h(actor_type, actor_key, token)
       WHERE l.actor_type = h.actor_type AND l.actor_key = h.actor_key AND l.token = h.token AND l.node_id = $1`,
      [this.#node, held.map((lease) => lease.type), held.map((lease) => lease.key), held.map((lease) => lease.token)],
    );
  }
}

function entityId(type: string, key: string): string {
  return `${type}\u0000${key}`;
}
