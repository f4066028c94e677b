import { describe, expect, it } from 'vitest';
import { expectNoViolations } from '../../../src/runtime/simulator/index.js';
import { COOKIE_SCENARIOS } from '../../../src/actors/cookies/simulation/scenarios.js';

describe('cookie scenarios under the simulator', () => {
  for (const scenario of COOKIE_SCENARIOS) {
    it(`${scenario.name}: no violation`, async () => {
      const report = await expectNoViolations(scenario, { schedules: 300 });
      expect(report.schedules).toBe(300);
    });
  }
});
