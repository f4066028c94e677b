/**
 * The nodes of a cluster in PostgreSQL: each registers the address it takes
 * forwarded messages on and keeps its row live by heartbeats (PostgreSQL's
 * clock, as for leases). Other nodes look an owner's address up here.
 */
import type { Pool } from 'pg';
import { quoteSchema } from '../persistence/pg-schema.js';

/**
 * Options of {@link NodeRegistry}.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1/app' });
 * new NodeRegistry({ pool, schema: 'steward', node: 'node-a', ttlMs: 10_000 });
 * ```
 */
export interface NodeRegistryOptions {
  readonly pool: Pool;
  readonly schema: string;
  readonly node: string;
  /** How long a row stays live after a heartbeat, by PostgreSQL's clock. */
  readonly ttlMs: number;
}

/**
 * This node's row in `steward_nodes` and a cache of the others' addresses.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1/app' });
 * const registry = new NodeRegistry({ pool, schema: 'steward', node: 'node-a', ttlMs: 10_000 });
 * await registry.register('http://127.0.0.1:4100');
 * const owner = await registry.address('node-b'); // undefined once node-b's heartbeats stop
 * ```
 */
export class NodeRegistry {
  readonly #pool: Pool;
  readonly #table: string;
  readonly #node: string;
  readonly #ttlMs: number;
  readonly #addresses = new Map<string, string>();

  constructor(options: NodeRegistryOptions) {
    this.#pool = options.pool;
    this.#table = `${quoteSchema(options.schema)}.steward_nodes`;
    this.#node = options.node;
    this.#ttlMs = options.ttlMs;
  }

  /** Registers (or re-registers) this node at `address`. */
  async register(address: string): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#table} (node_id, address, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (node_id) DO UPDATE SET address = excluded.address, expires_at = excluded.expires_at`,
      [this.#node, address, this.#ttlMs],
    );
  }

  /** Keeps this node's row live. */
  async heartbeat(): Promise<void> {
    await this.#pool.query(`UPDATE ${this.#table} SET expires_at = now() + $2 * interval '1 millisecond' WHERE node_id = $1`, [this.#node, this.#ttlMs]);
  }

  /** Where `node` takes forwarded messages, if it is live (cached: a node id names one process incarnation). */
  async address(node: string): Promise<string | undefined> {
    const cached = this.#addresses.get(node);
    if (cached) return cached;
    const { rows } = await this.#pool.query<{ address: string }>(`SELECT address FROM ${this.#table} WHERE node_id = $1 AND expires_at > now()`, [node]);
    const address = rows[0]?.address;
    if (address) this.#addresses.set(node, address);
    return address;
  }

  /** Forgets the cached address of `node` (it stopped answering). */
  forget(node: string): void {
    this.#addresses.delete(node);
  }

  /** The ids of the live nodes, this one included. */
  async live(): Promise<string[]> {
    const { rows } = await this.#pool.query<{ node_id: string }>(`SELECT node_id FROM ${this.#table} WHERE expires_at > now() ORDER BY node_id`);
    return rows.map((row) => row.node_id);
  }

  /** Removes this node's row (clean stop). */
  async deregister(): Promise<void> {
    await this.#pool.query(`DELETE FROM ${this.#table} WHERE node_id = $1`, [this.#node]);
  }
}
