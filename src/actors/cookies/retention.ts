/** Rotation reports do not pile up: a retention policy by age and by count per cookie. */
import { pruneCollection } from '../../persistence/index.js';
import { realClock, type Clock, type PersistencePort } from '../../runtime/index.js';
import { COOKIE_REPORTS } from './cookie-actor.js';
import type { RotationReport } from './messages.js';

/**
 * How long rotation reports are kept.
 *
 * @example
 * ```ts
 * const policy: ReportRetention = { maxAgeMs: 30 * 86_400_000, keepPerCookie: 100 };
 * ```
 */
export interface ReportRetention {
  readonly maxAgeMs?: number;
  readonly keepPerCookie?: number;
}

/**
 * Removes reports older than `maxAgeMs` and all but the newest `keepPerCookie` of each cookie, in one atomic batch.
 *
 * @example
 * ```ts
 * const removed = await pruneRotationReports(persistence, { maxAgeMs: 7 * 86_400_000, keepPerCookie: 50 });
 * ```
 */
export function pruneRotationReports(persistence: Pick<PersistencePort, 'query' | 'commit'>, retention: ReportRetention, clock: Clock = realClock): Promise<number> {
  return pruneCollection<RotationReport>(
    { query: (collection) => persistence.query(collection), commit: (batch) => persistence.commit(batch) },
    COOKIE_REPORTS,
    {
      ...(retention.maxAgeMs === undefined ? {} : { maxAgeMs: retention.maxAgeMs }),
      ...(retention.keepPerCookie === undefined ? {} : { keepNewest: { count: retention.keepPerCookie, groupBy: (record) => record.value.cookieId } }),
    },
    clock,
  );
}
