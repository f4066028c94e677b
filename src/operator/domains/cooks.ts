/** The cook domain on the operator surface: each cook's status and progress, counts by status. */
import { COOKS, CookStateSchema } from '../../actors/cook/index.js';
import type { Cell, OperatorDomain } from '../domain.js';

/**
 * Cooks as an operator sees them: status, progress, pending and running
 * jobs, the failure reason of a failed one.
 *
 * @example
 * ```ts
 * dashboard({ system, reader: persistence, domains: [cooksDomain()] });
 * ```
 */
export function cooksDomain(): OperatorDomain {
  return {
    name: 'cooks',
    title: 'Cooks',
    read: async (reader) => {
      const counts: Record<string, number> = { total: 0, running: 0, paused: 0, completed: 0, failed: 0 };
      const rows: Cell[][] = [];
      const alerts: string[] = [];
      for (const record of await reader.query(COOKS)) {
        const cook = CookStateSchema.safeParse(record.value);
        counts.total = (counts.total ?? 0) + 1;
        if (!cook.success) {
          alerts.push(`cook ${record.key} is not a valid cook state`);
          continue;
        }
        const { status, generatedCount, total, pending, running, failureReason } = cook.data;
        counts[status] = (counts[status] ?? 0) + 1;
        rows.push([record.key, status, `${generatedCount}/${total}`, Object.keys(pending).length, Object.keys(running).length, failureReason]);
      }
      return { counts, tables: [{ title: 'cooks', columns: ['cook', 'status', 'progress', 'pending', 'running', 'failure'], rows }], alerts };
    },
  };
}
