import { describe, expect, it } from 'vitest';
import { expectNoViolations } from '../../../src/runtime/simulator/index.js';
import { COOK_SCENARIOS } from '../../../src/actors/cook/simulation/scenarios.js';

describe('cook scenarios under the simulator', () => {
  for (const scenario of COOK_SCENARIOS) {
    it(`${scenario.name}: 500 schedules, no violation`, async () => {
      const report = await expectNoViolations(scenario, { schedules: 500 });
      expect(report.schedules).toBe(500);
    });
  }
});
