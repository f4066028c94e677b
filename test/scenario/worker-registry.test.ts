import { describe, expect, it } from 'vitest';
import { REGISTRY_SCENARIOS } from '../../src/actors/jobs/index.js';
import { expectNoViolations, explore, replay, replayLine } from './fixtures/harness.js';
import { naiveHungStopping, naiveRegistryRace } from './fixtures/naive-registry.js';

describe('the worker registry under the simulator', () => {
  for (const scenario of REGISTRY_SCENARIOS) {
    it(`${scenario.name}: 10,000 schedules with crash faults, no violation`, async () => {
      const report = await expectNoViolations(scenario, { schedules: 10_000 });
      expect(report.schedules).toBe(10_000);
    }, 600_000);
  }
});

describe('check-then-insert registration across an await', () => {
  for (const scenario of [naiveRegistryRace, naiveHungStopping]) {
    it(`${scenario.name}: the simulator finds two workers holding one type, and replays it`, async () => {
      const report = await explore(scenario, { schedules: 200 });
      const failing = report.violations[0];
      expect(failing?.violation?.name).toBe('one worker per type');
      const again = await replay(scenario, replayLine(failing!));
      expect(again.violation).toEqual(failing?.violation);
    });
  }
});
