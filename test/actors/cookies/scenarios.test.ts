import { describe, expect, it } from 'vitest';
import { expectNoViolations } from '../../../src/runtime/simulator/index.js';
import { COOKIE_SCENARIOS } from '../../../src/actors/cookies/simulation/scenarios.js';

// 4 scenarios × 2,500 schedules: 10,000 schedules, each with crash faults (actor, task or whole system).
describe('cookie scenarios under the simulator', { timeout: 900_000 }, () => {
  for (const scenario of COOKIE_SCENARIOS) {
    it(`${scenario.name}: 2,500 schedules, no violation`, async () => {
      const report = await expectNoViolations(scenario, { schedules: 2_500 });
      expect(report.schedules).toBe(2_500);
    });
  }
});
