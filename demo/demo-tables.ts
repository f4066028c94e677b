/**
 * The demo's closing tables for the media queue and the cookies, and the
 * footer that counts the invariants every domain checked. Cells are ids,
 * statuses, counts, key names and short hashes: never a cookie value, never
 * a signed URL's query.
 */
import type { RotationReport } from '../src/actors/cookies/index.js';
import { renderTable } from '../src/operator/index.js';
import type { CookieDemoLine } from './cookie-demo.js';
import type { MediaDemoLine } from './media-demo.js';

/** One row per job of the round: what its post does, how it ended, where its file is. */
export function renderMediaTable(queue: string, lines: readonly MediaDemoLine[]): string {
  const rows = lines.map((line) => [line.jobId, line.story, line.ended, line.attempts, line.asExpected ? 'yes' : 'NO', line.outputPath ?? '-', line.thumbnailPath ?? '-']);
  const completed = lines.filter((line) => line.status === 'completed').length;
  const failed = lines.filter((line) => line.status === 'failed').length;
  return [
    `Media queue '${queue}': ${lines.length} jobs, ${completed} completed, ${failed} failed, ${lines.filter((line) => line.attempts > 1).length} retried by the queue`,
    renderTable(['job', 'post', 'ended', 'attempts', 'as expected', 'file (under downloads/)', 'thumbnail'], rows),
  ].join('\n');
}

/** One row per cookie, then the latest failed rotations. */
export function renderCookieTable(lines: readonly CookieDemoLine[], failures: readonly RotationReport[]): string {
  const rows = lines.map(({ snapshot, succeeded, failed }) => [
    snapshot.cookieId,
    snapshot.service ?? '-',
    snapshot.monitor.workerStatus,
    snapshot.revision,
    succeeded,
    failed,
    snapshot.monitor.consecutiveFailures,
    snapshot.monitor.lastStatus ?? '-',
    snapshot.keys.map((key) => `${key.key}#${key.hash ?? '-'}`).join(' '),
  ]);
  const out = [
    `Cookie rotation: ${lines.length} cookies, ${lines.reduce((n, l) => n + l.succeeded, 0)} rotations succeeded, ${lines.reduce((n, l) => n + l.failed, 0)} failed this run`,
    renderTable(['cookie', 'service', 'monitor', 'revision', 'ok', 'failed', 'consecutive', 'last', 'keys (name#hash)'], rows),
  ];
  const problems = lines.filter(({ snapshot }) => snapshot.monitor.workerStatus === 'error' && snapshot.monitor.lastMessage);
  for (const { snapshot } of problems) out.push(`  ! ${snapshot.cookieId}: ${snapshot.monitor.lastMessage ?? ''}`);
  if (failures.length > 0) {
    out.push('  latest failed rotations:');
    out.push(renderTable(['cookie', 'attempt', 'status', 'message'], failures.map((report) => [report.cookieId, report.attemptNumber, report.status, report.message])));
  }
  return out.join('\n');
}

/** Invariants checked per domain and the breaks found, plus the run's length. */
export function renderFooter(checked: Readonly<Record<string, number>>, violations: number, elapsedMs: number): string {
  const total = Object.values(checked).reduce((sum, n) => sum + n, 0);
  return [
    `invariants checked: ${total} (${Object.entries(checked).map(([domain, n]) => `${domain} ${n}`).join(', ')}), violations: ${violations}`,
    `elapsed: ${(elapsedMs / 1000).toFixed(1)} s`,
  ].join('\n');
}
