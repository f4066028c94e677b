/**
 * What {@link LowdbStore.open} takes and the events a lowdb store reports.
 */
import type { Clock } from '../runtime/ports/index.js';
import type { LockLostError } from './errors.js';
import type { LockOwner } from './lock-file.js';
import type { Migration } from './migrations.js';

/**
 * Something the store did that an operator may want to see. `lock-lost`
 * comes once: the store was taken over (`owner` is the taker) or fenced
 * itself (`owner` undefined); from then on it writes and reads nothing.
 *
 * @example
 * ```ts
 * await LowdbStore.open({ onEvent: (event) => event.type === 'lock-lost' && alert(event.error.message) });
 * ```
 */
export type LowdbStoreEvent =
  | { readonly type: 'opened'; readonly records: number; readonly replayed: number; readonly migrated: number }
  | { readonly type: 'compaction-started'; readonly sequence: number; readonly records: number }
  | { readonly type: 'compaction-finished'; readonly sequence: number; readonly bytes: number; readonly durationMs: number }
  | { readonly type: 'compaction-failed'; readonly error: unknown }
  | { readonly type: 'lock-lost'; readonly owner: LockOwner | undefined; readonly error: LockLostError };

/**
 * Options of {@link LowdbStore.open}.
 *
 * @example
 * ```ts
 * await LowdbStore.open({ dir: '/var/lib/app', schemaVersion: 2, migrations: [{ version: 2, name: 'noop', up: (doc) => doc }], lock: { staleAfterMs: 60_000 } });
 * ```
 */
export interface LowdbStoreOptions {
  /** The data directory (created if missing). Default `./data`. */
  readonly dir?: string;
  /** Stamps records and drives the lock heartbeat. Default: the real clock. */
  readonly clock?: Clock;
  /** Ordered migrations; each runs once when the store is opened at an older schema. */
  readonly migrations?: readonly Migration[];
  /** The schema version this code writes. Default: the highest migration version, or 1. */
  readonly schemaVersion?: number;
  /**
   * Journal size that triggers a compaction, at least; the threshold is never
   * below the last snapshot's size, so compaction work stays proportional to
   * the writes it absorbs (amortized O(1) per write at any store size). Default 4 MiB.
   */
  readonly compactAfterBytes?: number;
  /** Records serialized per compaction step (smaller steps interleave more finely with commits). Default 1000. */
  readonly compactionChunkRecords?: number;
  /** Largest snapshot written; a larger one is refused (compaction-failed) and the journals kept. Default: what V8 can read back. */
  readonly maxSnapshotBytes?: number;
  /**
   * Lock heartbeat period and staleness (see DirectoryLock). The heartbeat
   * matters only to openers on other hosts; `staleAfterMs` is recorded in the
   * lock file, so they judge this owner by its own bound.
   */
  readonly lock?: { readonly heartbeatMs?: number; readonly staleAfterMs?: number };
  readonly onEvent?: (event: LowdbStoreEvent) => void;
}
