/**
 * The lease store in memory, on a clock you give it (the simulator's virtual
 * clock): the same rules as the PostgreSQL table, so the simulator can run
 * several nodes over one lease table and check what the real nodes rely on.
 * It also checks fences, as a fenced PostgreSQL commit does in its
 * transaction, against the same rows.
 */
import type { Clock, Fence } from '../runtime/ports/index.js';
import { checkFence, type FencedError } from '../persistence/pg-fence.js';
import { entityId, type LeaseTable, type TableAcquisition } from './lease-table.js';

/**
 * One entity's lease row: its holder (`null` once released), its token and when it expires by the table's clock.
 *
 * @example
 * ```ts
 * const row: LeaseRowView | undefined = new MemoryLeaseTable(new VirtualClock()).row('cook', 'c-1'); // undefined: never acquired
 * ```
 */
export interface LeaseRowView {
  readonly node: string | null;
  readonly token: number;
  readonly expiresAt: number;
}

/**
 * {@link LeaseTable} in memory. Expiry is by `clock.monotonic()`: a lease
 * acquired at `t` for `ttl` is taken over from `t + ttl` on, not before.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const table = new MemoryLeaseTable(clock);
 * await table.acquire('cook', 'c-1', 'node-a', 1_000); // { token: 1 }
 * clock.advance(1_000);
 * await table.acquire('cook', 'c-1', 'node-b', 1_000); // { token: 2 }: taken over
 * ```
 */
export class MemoryLeaseTable implements LeaseTable {
  readonly #clock: Clock;
  readonly #rows = new Map<string, LeaseRowView>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The row of `(type, key)`, if it was ever acquired. */
  row(type: string, key: string): LeaseRowView | undefined {
    return this.#rows.get(entityId(type, key));
  }

  /** Whether the row of `(type, key)` is held and unexpired now. */
  live(type: string, key: string): boolean {
    const row = this.row(type, key);
    return row !== undefined && row.node !== null && row.expiresAt > this.#clock.monotonic();
  }

  /** The refusal (`ERR_FENCED`) of a write under `fence` now, or undefined if its lease stands: the check a fenced commit makes. */
  check(fence: Fence): FencedError | undefined {
    const row = this.row(fence.type, fence.key);
    return checkFence(fence, row && { actor_type: fence.type, actor_key: fence.key, node_id: row.node, token: String(row.token), live: this.live(fence.type, fence.key) });
  }

  acquire(type: string, key: string, node: string, ttlMs: number): Promise<TableAcquisition> {
    const now = this.#clock.monotonic();
    const row = this.row(type, key);
    if (row && row.node !== null && row.node !== node && row.expiresAt > now) return Promise.resolve({ owner: row.node, remainingMs: row.expiresAt - now });
    const token = (row?.token ?? 0) + 1;
    this.#rows.set(entityId(type, key), { node, token, expiresAt: now + ttlMs });
    return Promise.resolve({ token });
  }

  renew(node: string, ttlMs: number, leases: readonly Fence[]): Promise<Fence[]> {
    const now = this.#clock.monotonic();
    const renewed = leases.filter((lease) => this.#holds(node, lease) && this.live(lease.type, lease.key));
    for (const lease of renewed) this.#rows.set(entityId(lease.type, lease.key), { node, token: lease.token, expiresAt: now + ttlMs });
    return Promise.resolve(renewed);
  }

  release(node: string, leases: readonly Fence[]): Promise<void> {
    const now = this.#clock.monotonic();
    for (const lease of leases) if (this.#holds(node, lease)) this.#rows.set(entityId(lease.type, lease.key), { node: null, token: lease.token, expiresAt: now });
    return Promise.resolve();
  }

  #holds(node: string, lease: Fence): boolean {
    const row = this.row(lease.type, lease.key);
    return row !== undefined && row.node === node && row.token === lease.token;
  }
}
