/**
 * The demo's per-domain closing tables, from the same operator domains the
 * dashboard and `npm run inspect` show. A domain added to the demo's list
 * (queues, cookies) gets its table here with no other change.
 */
import type { SystemMetrics } from '../src/index.js';
import { renderTable, type OperatorDomain, type RecordReader } from '../src/operator/index.js';

/** Most rows printed per table. */
const ROWS = 12;

/** Renders each domain (counts, alerts, tables) and a line of runtime metrics. */
export async function renderDomains(domains: readonly OperatorDomain[], reader: RecordReader, metrics: SystemMetrics, skipTables: ReadonlySet<string>): Promise<string> {
  const out: string[] = [];
  for (const domain of domains) {
    const view = await domain.read(reader, { now: metrics.at });
    out.push(`${domain.title}: ${Object.entries(view.counts).map(([name, value]) => `${name} ${value}`).join(', ')}`);
    for (const alert of view.alerts) out.push(`  ! ${alert}`);
    if (skipTables.has(domain.name)) continue;
    for (const table of view.tables) {
      if (table.rows.length === 0) continue;
      out.push(renderTable(table.columns, table.rows.slice(0, ROWS)));
      if (table.rows.length > ROWS) out.push(`  … ${table.rows.length - ROWS} more (npm run inspect)`);
    }
  }
  const mean = (histogram: { count: number; sumMs: number }) => (histogram.count === 0 ? 0 : histogram.sumMs / histogram.count).toFixed(2);
  const deadLetters = Object.values(metrics.events.deadLetters).reduce((total, count) => total + count, 0);
  out.push(
    `Runtime: ${metrics.turns.durationMs.count} turns (mean ${mean(metrics.turns.durationMs)} ms), ${metrics.commits.durationMs.count} commits (mean ${mean(metrics.commits.durationMs)} ms), ` +
      `${metrics.events.crashes} crashes, ${deadLetters} dead letters`,
  );
  return out.join('\n');
}
