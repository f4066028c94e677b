/**
 * The seed's two-rotator design under the cookie invariants: the simulator
 * finds it storing an older value over a newer one and replays it; the
 * cookie actor passes the same invariants (scenarios.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, explore, replay, replayLine } from '../../../src/runtime/simulator/index.js';
import { COOKIES } from '../../../src/actors/cookies/index.js';
import { initialCookieState } from '../../../src/actors/cookies/rotation-state.js';
import { cookieViolations } from '../../../src/actors/cookies/simulation/invariants.js';
import { SimulatedCookieProvider } from '../../../src/actors/cookies/simulation/simulated-service.js';
import { naiveRotate } from './fixtures/naive-rotators.js';

const COOKIE = 'shop-ann';

function naiveScenario() {
  let service: SimulatedCookieProvider;
  return defineScenario<{ service: SimulatedCookieProvider }>({
    name: 'naive-two-rotators',
    maxSteps: 100,
    faults: ['crash-system'],
    init: async (world) => {
      service = new SimulatedCookieProvider(world, 'http://sim.invalid/naive');
      await world.store.commit([{ op: 'put', collection: COOKIES, key: COOKIE, value: { ...initialCookieState(COOKIE, 'seed'), service: 'shop', value: `plain:${service.issue('ann')}`, revision: 1 } }]);
    },
    setup: () => ({ service }),
    actions: [
      { name: 'in-process rotator', times: 2, run: ({ service: svc }, world) => naiveRotate(world, svc, 'in-process rotator', COOKIE) },
      { name: 'forked worker', times: 2, run: ({ service: svc }, world) => naiveRotate(world, svc, 'forked worker', COOKIE) },
    ],
    invariants: { 'cookie invariants': ({ service: svc }, world) => cookieViolations(world, svc, COOKIE).join('; ') || true },
  });
}

describe('the seed two-rotator design under the cookie invariants', () => {
  it('is caught storing an older value over a newer one, and the schedule replays', async () => {
    const scenario = naiveScenario();
    const found = new Map<string, string>();
    const report = await explore(scenario, {
      schedules: 300,
      stopOnViolation: false,
      onSchedule: (result) => {
        if (result.violation && !found.has(result.violation.message.split(':')[0] ?? '')) found.set(result.violation.message.split(':')[0] ?? '', replayLine(result));
      },
    });
    expect(report.violations.length).toBeGreaterThan(0);
    const line = found.get('an older value over a newer one');
    expect(line, `found only: ${[...found.keys()].join(', ')}`).toBeDefined();
    const again = await replay(scenario, line as string);
    expect(again.violation?.message).toContain('an older value over a newer one');
  });
});
