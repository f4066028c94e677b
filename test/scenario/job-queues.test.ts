import { describe, expect, it } from 'vitest';
import { QUEUE_SCENARIOS, REGISTRY_SCENARIOS } from '../../src/actors/jobs/index.js';
import { BUILT_IN_SCENARIOS } from '../../src/cli/scenario-registry.js';
import { expectNoViolations, explore, replay, replayLine } from './fixtures/harness.js';
import { naiveCompletionVsLease, naiveCrashMidJob, naiveDoubleClaim, naiveDuplicateCompletion } from './fixtures/naive-queue.js';

describe('job queues under the simulator', () => {
  for (const scenario of QUEUE_SCENARIOS) {
    it(`${scenario.name}: 10,000 schedules with crash faults, no violation`, async () => {
      const report = await expectNoViolations(scenario, { schedules: 10_000 });
      expect(report.schedules).toBe(10_000);
    }, 900_000);
  }
});

describe('naive queues: the simulator catches each, and replays it', () => {
  const cases = [
    { scenario: naiveDoubleClaim, violation: 'each job completed once', what: 'check-then-claim across an await: two consumers complete one job' },
    { scenario: naiveCompletionVsLease, violation: 'each job completed once', what: 'completions without attempt ids: a consumer whose lease was taken completes the new attempt\'s job' },
    { scenario: naiveCrashMidJob, violation: 'every acknowledged job completes', what: 'no recovery: a job running when the process died stays running forever' },
    { scenario: naiveDuplicateCompletion, violation: 'each job completed once', what: 'a completion delivered by two paths is counted twice' },
  ];
  for (const { scenario, violation, what } of cases) {
    it(`${scenario.name}: ${what}`, async () => {
      const report = await explore(scenario, { schedules: 300 });
      const failing = report.violations[0];
      expect(failing?.violation?.name).toBe(violation);
      const again = await replay(scenario, replayLine(failing!));
      expect(again.violation).toEqual(failing?.violation);
    });
  }
});

describe('npm run simulate -- --list', () => {
  it('lists the registry and queue scenarios among the built-in ones', () => {
    for (const scenario of [...REGISTRY_SCENARIOS, ...QUEUE_SCENARIOS]) expect(BUILT_IN_SCENARIOS.get(scenario.name)).toBe(scenario);
  });
});
