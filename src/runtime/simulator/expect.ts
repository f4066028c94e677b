import { explore, replayLine, shrink, type Coverage, type ExploreOptions, type ExploreReport } from './explore.js';
import type { Scenario } from './scenario.js';
import { timeline } from './timeline.js';

/** Default least share of schedules in which each action ran, and each `eventually` goal was reached. */
export const DEFAULT_COVERAGE = 0.95;

/**
 * Explores `scenario` and throws, with the replay line and the shrunk
 * timeline, if any schedule breaks it; throws too if the exploration tested
 * too little: an action that ran to its end, or an `eventually` goal the
 * system reached, in fewer schedules than the scenario's `coverage` asks
 * (default 95 %). Made for test runners.
 *
 * @example
 * ```ts
 * import { it } from 'vitest';
 * it('never starts a cook twice', async () => {
 *   await expectNoViolations(doubleStart, { schedules: 500 });
 * });
 * ```
 */
export async function expectNoViolations<TCtx, TSummary>(scenario: Scenario<TCtx, TSummary>, options: ExploreOptions = {}): Promise<ExploreReport<TSummary>> {
  const report = await explore(scenario, { ...options, stopOnViolation: true });
  const failing = report.violations[0];
  if (failing) {
    const shrunk = await shrink(scenario, failing);
    throw new Error(
      `scenario '${scenario.name}' broke after ${report.schedules} schedule(s)\n${timeline(failing, 40)}\n\nshrunk to ${shrunk.steps} steps (replay: ${replayLine(shrunk)}):\n${timeline(shrunk, 60)}`,
    );
  }
  const thin = thinCoverage(report.coverage, scenario.coverage?.actions ?? DEFAULT_COVERAGE, scenario.coverage?.eventually ?? DEFAULT_COVERAGE);
  if (thin.length > 0) {
    throw new Error(`scenario '${scenario.name}' passed ${report.schedules} schedule(s) but tested too little:\n${thin.map((line) => `  ${line}`).join('\n')}`);
  }
  return report;
}

/** One line per action or goal under its threshold. @internal */
export function thinCoverage(coverage: Coverage, actions: number, eventually: number): string[] {
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  return [
    ...Object.entries(coverage.actions)
      .filter(([, share]) => share < actions)
      .map(([name, share]) => `action '${name}' ran to its end in ${pct(share)} of schedules (at least ${pct(actions)} required)`),
    ...Object.entries(coverage.eventually)
      .filter(([, share]) => share < eventually)
      .map(([name, share]) => `eventually '${name}' was reached by the system in ${pct(share)} of schedules (at least ${pct(eventually)} required)`),
  ];
}
