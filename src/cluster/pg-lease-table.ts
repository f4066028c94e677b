/**
 * The lease store in PostgreSQL: the `steward_leases` table of a PgStore's
 * schema (its migrations create it), where `now()` is the only clock, so a
 * fenced commit checks a lease in its own transaction against the same rows.
 */
import type { Pool } from 'pg';
import type { Fence } from '../runtime/ports/index.js';
import { quoteSchema } from '../persistence/pg-schema.js';
import { entityId, type LeaseTable, type TableAcquisition } from './lease-table.js';

/**
 * Options of {@link PgLeaseTable}.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const options: PgLeaseTableOptions = { pool: new pg.Pool({ connectionString: 'postgres://127.0.0.1/app' }), schema: 'steward' };
 * ```
 */
export interface PgLeaseTableOptions {
  readonly pool: Pool;
  /** The PgStore's schema. */
  readonly schema: string;
}

/**
 * {@link LeaseTable} on PostgreSQL.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const table = new PgLeaseTable({ pool: new pg.Pool({ connectionString: 'postgres://127.0.0.1/app' }), schema: 'steward' });
 * const leases = new Leases({ table, node: 'node-a', ttlMs: 10_000 });
 * ```
 */
export class PgLeaseTable implements LeaseTable {
  readonly #pool: Pool;
  readonly #table: string;

  constructor(options: PgLeaseTableOptions) {
    this.#pool = options.pool;
    this.#table = `${quoteSchema(options.schema)}.steward_leases`;
  }

  async acquire(type: string, key: string, node: string, ttlMs: number): Promise<TableAcquisition> {
    const { rows } = await this.#pool.query<{ token: string }>(
      `INSERT INTO ${this.#table} AS l (actor_type, actor_key, node_id, token, expires_at)
       VALUES ($1, $2, $3, 1, now() + $4 * interval '1 millisecond')
       ON CONFLICT (actor_type, actor_key) DO UPDATE SET node_id = excluded.node_id, token = l.token + 1, expires_at = excluded.expires_at
       WHERE l.node_id IS NULL OR l.expires_at <= now() OR l.node_id = excluded.node_id
       RETURNING l.token`,
      [type, key, node, ttlMs],
    );
    const row = rows[0];
    if (row) return { token: Number(row.token) };
    const owner = await this.#pool.query<{ node_id: string | null; remaining: number }>(
      `SELECT node_id, greatest(0, extract(epoch FROM expires_at - now()) * 1000)::float8 AS remaining FROM ${this.#table} WHERE actor_type = $1 AND actor_key = $2`,
      [type, key],
    );
    const current = owner.rows[0];
    // Freed between the two statements: the caller may simply try again.
    return { owner: current?.node_id ?? null, remainingMs: current?.node_id ? current.remaining : 0 };
  }

  async renew(node: string, ttlMs: number, leases: readonly Fence[]): Promise<Fence[]> {
    if (leases.length === 0) return [];
    const { rows } = await this.#pool.query<{ actor_type: string; actor_key: string }>(
      `UPDATE ${this.#table} AS l SET expires_at = now() + $2 * interval '1 millisecond'
       FROM unnest($3::text[], $4::text[], $5::bigint[]) AS h(actor_type, actor_key, token)
       WHERE l.actor_type = h.actor_type AND l.actor_key = h.actor_key AND l.token = h.token AND l.node_id = $1 AND l.expires_at > now()
       RETURNING l.actor_type, l.actor_key`,
      [node, ttlMs, ...columns(leases)],
    );
    const renewed = new Set(rows.map((row) => entityId(row.actor_type, row.actor_key)));
    return leases.filter((lease) => renewed.has(entityId(lease.type, lease.key)));
  }

  async release(node: string, leases: readonly Fence[]): Promise<void> {
    if (leases.length === 0) return;
    await this.#pool.query(
      `UPDATE ${this.#table} AS l SET node_id = NULL, expires_at = now()
       FROM unnest($2::text[], $3::text[], $4::bigint[]) AS h(actor_type, actor_key, token)
       WHERE l.actor_type = h.actor_type AND l.actor_key = h.actor_key AND l.token = h.token AND l.node_id = $1`,
      [node, ...columns(leases)],
    );
  }
}

function columns(leases: readonly Fence[]): [string[], string[], number[]] {
  return [leases.map((lease) => lease.type), leases.map((lease) => lease.key), leases.map((lease) => lease.token)];
}
