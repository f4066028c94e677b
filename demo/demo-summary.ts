/** The demo's closing table of cooks: per cook counts, the totals, and what the generation service did on purpose. */
import type { CookSnapshot } from '../src/actors/cook/index.js';
import type { GenerationServiceStats } from './generation-service/index.js';

/** What the summary shows besides the cooks. */
export interface SummaryFooter {
  readonly service: GenerationServiceStats;
}

/** Renders a fixed-width table, one row per cook. */
export function renderSummary(cooks: readonly CookSnapshot[], footer: SummaryFooter): string {
  const header = ['cook', 'pieces', 'status', 'dups absorbed', 'submit retries', 'job failures', 'sync/webhook/poller'];
  const rows = cooks.map((cook) => {
    const by = cook.stats.completionsBySource;
    return [
      `${cook.collectionId} (${cook.userId})`,
      `${cook.generatedCount}/${cook.total}`,
      cook.status,
      String(cook.stats.duplicatesAbsorbed),
      String(cook.stats.submitRetries),
      String(cook.stats.jobFailures),
      `${by.sync}/${by.webhook}/${by.poller}`,
    ];
  });
  const sum = (pick: (cook: CookSnapshot) => number) => cooks.reduce((total, cook) => total + pick(cook), 0);
  const total = [
    'total',
    `${sum((c) => c.generatedCount)}/${sum((c) => c.total)}`,
    '',
    String(sum((c) => c.stats.duplicatesAbsorbed)),
    String(sum((c) => c.stats.submitRetries)),
    String(sum((c) => c.stats.jobFailures)),
    `${sum((c) => c.stats.completionsBySource.sync)}/${sum((c) => c.stats.completionsBySource.webhook)}/${sum((c) => c.stats.completionsBySource.poller)}`,
  ];
  const all = [header, ...rows, total];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) => `  ${row.map((cell, column) => (column === 0 || column === 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')}`;
  const rule = `  ${widths.map((width) => '-'.repeat(width)).join('  ')}`;
  const service = footer.service;
  const failures = cooks.filter((cook) => cook.failureReason !== null).map((cook) => `  ${cook.collectionId} failed: ${cook.failureReason}`);
  return [
    line(header),
    rule,
    ...rows.map(line),
    rule,
    line(total),
    ...failures,
    '',
    `  service: ${service.jobsCreated} jobs, ${service.submitFailuresInjected} submits failed on purpose, ${service.acksLost} acks lost, ` +
      `${service.webhooksDuplicated} webhooks sent twice, ${service.webhooksDropped} dropped`,
  ].join('\n');
}
