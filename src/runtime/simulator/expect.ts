import { explore, shrink, type ExploreOptions, type ExploreReport } from './explore.js';
import type { Scenario } from './scenario.js';
import { timeline } from './timeline.js';

/**
 * Explores `scenario` and throws, with the replay line and the shrunk
 * timeline, if any schedule breaks it. Made for test runners.
 *
 * @example
 * ```ts
 * it('never double-counts a completion', async () => {
 *   await expectNoViolations(threePathCompletion, { schedules: 500 });
 * });
 * ```
 */
export async function expectNoViolations<TCtx>(scenario: Scenario<TCtx>, options: ExploreOptions = {}): Promise<ExploreReport> {
  const report = await explore(scenario, { ...options, stopOnViolation: true });
  const failing = report.violations[0];
  if (failing) {
    const shrunk = await shrink(scenario, failing);
    throw new Error(
      `scenario '${scenario.name}' broke after ${report.schedules} schedule(s)\n${timeline(failing, 40)}\n\nshrunk to ${shrunk.steps} steps:\n${timeline(shrunk, 60)}`,
    );
  }
  return report;
}
