/**
 * The lease store a node's {@link Leases} drive: the table of who owns
 * `(type, key)`, until when, under which fencing token. Its own clock alone
 * decides expiry (PostgreSQL's `now()` for {@link PgLeaseTable}, a virtual
 * clock for {@link MemoryLeaseTable}). Every implementation keeps one rule
 * set, checked by one contract suite:
 *
 * - an acquisition succeeds only if the entity is free, released, expired
 *   (at ttl exactly) or already this node's, and adds one to its token;
 * - a token is never reset: a release keeps the row, with its token;
 * - a renewal extends only leases still held, live, at their token;
 * - a release frees only the lease at its token, held by its node.
 */
import type { Fence } from '../runtime/ports/index.js';

/**
 * What {@link LeaseTable.acquire} did: the new token, or who holds the entity and for how long.
 *
 * @example
 * ```ts
 * const row = await new MemoryLeaseTable(new VirtualClock()).acquire('cook', 'c-1', 'node-a', 10_000);
 * if ('token' in row) console.log(`held at token ${row.token}`);
 * ```
 */
export type TableAcquisition = { readonly token: number } | { readonly owner: string | null; readonly remainingMs: number };

/**
 * A lease store (one statement per call): see the module's rules.
 *
 * @example
 * ```ts
 * const table: LeaseTable = new MemoryLeaseTable(new VirtualClock());
 * const acquired = await table.acquire('cook', 'c-1', 'node-a', 10_000); // { token: 1 }
 * ```
 */
export interface LeaseTable {
  /** Takes `(type, key)` for `node` for `ttlMs` with the next token (takeover of an expired lease included); otherwise names the holder. */
  acquire(type: string, key: string, node: string, ttlMs: number): Promise<TableAcquisition>;
  /** Extends each of `leases` held by `node`, live, at its token, to `ttlMs` from now; returns those it extended. */
  renew(node: string, ttlMs: number, leases: readonly Fence[]): Promise<Fence[]>;
  /** Frees each of `leases` still held by `node` at its token, keeping the token for the next owner. */
  release(node: string, leases: readonly Fence[]): Promise<void>;
}

/** The map key of an entity. @internal */
export function entityId(type: string, key: string): string {
  return `${type}\u0000${key}`;
}
