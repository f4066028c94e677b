/** The options and counters of the persistence actor ({@link Persistence}). */
import type { Clock } from '../runtime/ports/index.js';
import type { Persistence } from './persistence.js';
import type { RetryOptions } from './retry.js';

/**
 * Options of {@link Persistence}.
 *
 * @example
 * ```ts
 * new Persistence(store, { clock: new VirtualClock(), retry: { attempts: 3 }, closeStore: false });
 * ```
 */
export interface PersistenceOptions {
  /** Drives retry backoff. Default: the real clock. */
  readonly clock?: Clock;
  /** Retries of transient I/O errors (EAGAIN, EBUSY, EMFILE, …). */
  readonly retry?: RetryOptions;
  /** Close the store when the actor closes. Default true. */
  readonly closeStore?: boolean;
}

/**
 * Counters: how many requests and how many store commits carried them.
 *
 * @example
 * ```ts
 * const { requests, storeCommits } = persistence.stats;
 * console.log(`group commit factor ${(requests / storeCommits).toFixed(1)}`);
 * ```
 */
export interface PersistenceStats {
  readonly requests: number;
  readonly storeCommits: number;
  readonly conflicts: number;
  readonly failedCommits: number;
}
