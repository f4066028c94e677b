/**
 * Retention: which records of a collection to drop, by age or by keeping the
 * newest N per group. Pruning is an ordinary batch of conditional deletes
 * through the persistence actor, so it is atomic and never removes a record
 * that changed after it was looked at.
 */
import type { Clock } from '../runtime/ports/index.js';
import { realClock } from '../runtime/ports/index.js';
import type { CommitResult, StoredRecord, WriteOp } from './types.js';

/**
 * Which records to keep. With both fields a record must pass both.
 *
 * @example
 * ```ts
 * // keep a week of rotation reports, and at most 50 per cookie
 * const policy: RetentionPolicy<{ cookieId: string }> = {
 *   maxAgeMs: 7 * 24 * 3600_000,
 *   keepNewest: { count: 50, groupBy: (record) => record.value.cookieId },
 * };
 * ```
 */
export interface RetentionPolicy<T = unknown> {
  /** Drop records whose `updatedAt` is more than this long ago. */
  readonly maxAgeMs?: number;
  /** Keep only the `count` most recently updated records of each group (ties: greater key kept). */
  readonly keepNewest?: { readonly count: number; readonly groupBy: (record: StoredRecord<T>) => string };
}

/**
 * The conditional deletes that apply `policy` to `records`.
 *
 * @example
 * ```ts
 * const policy: RetentionPolicy<RotationReport> = { maxAgeMs: 30 * 86_400_000, keepNewest: { count: 50, groupBy: (record) => record.value.cookieId } };
 * const ops = planRetention(await store.query<RotationReport>(COOKIE_REPORTS), policy, system.clock.now());
 * ```
 */
export function planRetention<T>(records: readonly StoredRecord<T>[], policy: RetentionPolicy<T>, now: number): WriteOp[] {
  const doomed = new Set<StoredRecord<T>>();
  if (policy.maxAgeMs !== undefined) {
    for (const record of records) if (now - record.updatedAt > policy.maxAgeMs) doomed.add(record);
  }
  if (policy.keepNewest) {
    const { count, groupBy } = policy.keepNewest;
    const groups = new Map<string, StoredRecord<T>[]>();
    for (const record of records) {
      const group = groupBy(record);
      const members = groups.get(group);
      if (members) members.push(record);
      else groups.set(group, [record]);
    }
    for (const members of groups.values()) {
      members.sort((a, b) => b.updatedAt - a.updatedAt || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
      for (const record of members.slice(Math.max(0, count))) doomed.add(record);
    }
  }
  return records
    .filter((record) => doomed.has(record))
    .map((record): WriteOp => ({ op: 'delete', collection: record.collection, key: record.key, expectedRevision: record.revision }));
}

/** What {@link pruneCollection} needs: the persistence actor fits. */
export interface RetentionTarget {
  query<T>(collection: string): Promise<StoredRecord<T>[]>;
  commit(batch: readonly WriteOp[]): Promise<CommitResult>;
}

/**
 * Applies `policy` to `collection` as one atomic batch and returns how many
 * records were removed. If a record changes between the read and the commit,
 * the batch fails with `ERR_REVISION_CONFLICT` and nothing is removed; run it again.
 *
 * @example
 * ```ts
 * const removed = await pruneCollection(persistence, 'reports', { maxAgeMs: 30 * 86_400_000 });
 * ```
 */
export async function pruneCollection<T>(
  target: RetentionTarget,
  collection: string,
  policy: RetentionPolicy<T>,
  clock: Clock = realClock,
): Promise<number> {
  const ops = planRetention(await target.query<T>(collection), policy, clock.now());
  if (ops.length > 0) await target.commit(ops);
  return ops.length;
}
