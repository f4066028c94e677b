/** What {@link PgStore.open} takes. */
import type { Pool } from 'pg';
import type { Clock } from '../runtime/clock.js';
import type { PgStore } from './pg-store.js';

/**
 * Options of {@link PgStore.open}.
 *
 * @example
 * ```ts
 * await PgStore.open({ connectionString: 'postgres://app@db/steward', schema: 'orders', poolSize: 10 });
 * ```
 */
export interface PgStoreOptions {
  /** Where to connect, e.g. `postgres://user@host:5432/db`. Ignored when `pool` is given. */
  readonly connectionString?: string;
  /** A pool you own (the store never ends it). Default: a pool of `poolSize` the store ends on close. */
  readonly pool?: Pool;
  /** Connections of the store's own pool. Default 10. */
  readonly poolSize?: number;
  /** The PostgreSQL schema holding the store's tables (created if missing). Default `steward`. */
  readonly schema?: string;
  /** Stamps `updatedAt`, as in the embedded stores. Default: the real clock. */
  readonly clock?: Clock;
  /**
   * PostgreSQL ends a commit's transaction left idle this long (its process
   * frozen or cut off), releasing the commit lock for every other node. Keep
   * it below the lease ttl. Default 5000 ms.
   */
  readonly transactionIdleTimeoutMs?: number;
}
