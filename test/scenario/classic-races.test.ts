import { describe, expect, it } from 'vitest';
import {
  checkDeterminism,
  expectNoViolations,
  explore,
  percentileOf,
  replay,
  replayLine,
  shrink,
  timeline,
  type AnyScenario,
} from './fixtures/harness.js';
import {
  actorCompletion,
  actorSingleton,
  actorSlots,
  actorTimeout,
  longStreak,
  naiveCompletion,
  naiveSingleton,
  naiveSlots,
  naiveTimeout,
  resetSpin,
} from './fixtures/classic-races.js';

/** Explores from 100 different starting seeds and returns how many schedules each needed to find a violation. */
async function schedulesToFind(scenario: AnyScenario, strategy: 'random' | 'pct' | 'portfolio', budget: number): Promise<number[]> {
  const found: number[] = [];
  for (let start = 0; start < 100; start++) {
    const report = await explore(scenario, { firstSeed: start * 1_000 + 1, schedules: budget, strategy });
    found.push(report.violations.length > 0 ? report.schedules : Infinity);
  }
  return found;
}

const naive = [naiveSingleton, naiveCompletion, naiveSlots, naiveTimeout] as AnyScenario[];
const actors = [actorSingleton, actorCompletion, actorSlots, actorTimeout] as AnyScenario[];

describe('the simulator finds the classic races in naive code', () => {
  for (const scenario of naive) {
    it(`${scenario.name}: found from 100 of 100 seeds within 50 schedules, p90 <= 10, and the replay reproduces it`, async () => {
      const found = await schedulesToFind(scenario, 'random', 50);
      expect(found.filter((n) => n === Infinity)).toEqual([]);
      expect(percentileOf(found, 90)).toBeLessThanOrEqual(10);

      const report = await explore(scenario, { schedules: 50, strategy: 'random' });
      const failing = report.violations[0]!;
      const line = replayLine(failing);
      expect(line).toMatch(new RegExp(`^scenario=${scenario.name} strategy=random seed=\\d+$`));
      const again = await replay(scenario, line);
      expect(again.hash).toBe(failing.hash);
      expect(again.violation).toEqual(failing.violation);
      const shrunk = await shrink(scenario, failing);
      expect(shrunk.violation?.name).toBe(failing.violation?.name);
      expect(shrunk.steps).toBeLessThanOrEqual(failing.steps);
      expect(timeline(shrunk)).toContain(`violation: [${failing.violation!.kind}] ${failing.violation!.name}`);
    });
  }
});

describe('the same scenarios written with steward actors', () => {
  for (const scenario of actors) {
    it(`${scenario.name}: 10,000 schedules, no violation`, async () => {
      const report = await expectNoViolations(scenario, { schedules: 10_000 });
      expect(report.schedules).toBe(10_000);
    });
  }
});

describe('strategies and determinism', () => {
  it('PCT finds a bug that needs one actor to run 12 steps uninterrupted within 10 schedules at p90', async () => {
    const found = await schedulesToFind(longStreak, 'pct', 50);
    expect(percentileOf(found, 90)).toBeLessThanOrEqual(10);
  });

  it('lazy time finds a liveness bug that a random walk (time jumping mid-commit) misses', async () => {
    const lazy = await explore(resetSpin, { schedules: 20, strategy: 'lazy-time' });
    expect(lazy.violations[0]?.violation).toMatchObject({ kind: 'eventually', name: 'polled at last' });
    // With exact timers (a replaced timer's queued tick is dropped), a random walk finds it too: it used to
    // miss it only because a stale 'poll' tick was still delivered after the timer was reset.
    const random = await explore(resetSpin, { schedules: 20, strategy: 'random' });
    expect(random.violations.every((found) => found.violation?.kind === 'eventually')).toBe(true);
  });

  it('a random walk rarely finds it (why PCT exists)', async () => {
    const report = await explore(longStreak, { schedules: 200, strategy: 'random' });
    expect(report.violations).toHaveLength(0);
  });

  it('replays every sampled seed identically', async () => {
    const seeds = Array.from({ length: 30 }, (_, i) => i * 7 + 1);
    for (const scenario of [...naive, ...actors]) expect(await checkDeterminism(scenario, seeds)).toEqual([]);
  });
});
