import { describe, expect, it } from 'vitest';
import { expectNoViolations } from '../../../src/runtime/simulator/index.js';
import { COOK_SCENARIOS } from '../../../src/actors/cook/simulation/scenarios.js';

describe('cook scenarios under the simulator', () => {
  for (const scenario of COOK_SCENARIOS) {
    it(`${scenario.name}: 500 schedules, no violation`, async () => {
      const report = await expectNoViolations(scenario, { schedules: 500 });
      expect(report.schedules).toBe(500);
      if (scenario.name === 'cook-resumed-by-tick') {
        // Tested what it claims: many schedules crashed with the tick committed, and only the tick resumed the cook.
        const crashed = report.summaries.filter((summary) => summary.crashesWithTick > 0).length;
        console.log(`${scenario.name}: ${crashed} of ${report.schedules} schedules crashed with the tick committed`);
        expect(crashed).toBeGreaterThan(report.schedules / 4);
      }
    });
  }
});
