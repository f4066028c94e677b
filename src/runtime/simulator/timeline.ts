import { replayLine } from './explore.js';
import type { ScheduleResult } from './schedule-result.js';

/**
 * A readable account of a run: the replay line, what broke, and every step
 * with its virtual time.
 *
 * @example
 * ```ts
 * const [first] = (await explore(doubleStart, { schedules: 1_000 })).violations;
 * if (first) console.log(timeline(first));
 * ```
 */
export function timeline(result: ScheduleResult, maxSteps = 200): string {
  const lines = [`replay: ${replayLine(result)}  (trace ${result.hash}, ${result.steps} steps)`];
  if (result.violation) lines.push(`violation: [${result.violation.kind}] ${result.violation.name}: ${result.violation.message} (after step ${result.violation.step})`);
  const shown = result.trace.slice(-maxSteps);
  const skipped = result.trace.length - shown.length;
  if (skipped > 0) lines.push(`  … ${skipped} earlier steps`);
  shown.forEach((step, i) => lines.push(`  #${String(skipped + i + 1).padStart(4)}  t=${String(step.at).padStart(6)}ms  ${step.label}`));
  return lines.join('\n');
}
