import { describe, expect, it } from 'vitest';
import { defineScenario, explore, replay, replayLine, type Scenario } from '../../../src/runtime/simulator/index.js';
import { SimulatedGenerationService, type SimulatedServiceOptions } from '../../../src/actors/cook/simulation/simulated-service.js';
import { NaiveOrchestrator, naiveViolations } from '../../fixtures/naive-orchestrator.js';

const OWNER = 'ann';
const COLLECTION = 'autumn';
const SUPPLY = 6;
const KEY = `${COLLECTION}~${OWNER}`;

interface NaiveCtx {
  readonly orchestrator: NaiveOrchestrator;
  readonly started: { owner: boolean };
}

/** The cook scenarios, aimed at the naive orchestrator: same service, same kinds of inputs, same invariants. */
function naiveCookScenario(name: string, service: SimulatedServiceOptions, actions: Scenario<NaiveCtx>['actions']): Scenario<NaiveCtx> {
  let orchestrator: NaiveOrchestrator;
  let started: { owner: boolean };
  const ownerOf = () => OWNER;
  return defineScenario<NaiveCtx>({
    name,
    maxSteps: 300,
    init: (world) => {
      started = { owner: false };
      const submitter = new SimulatedGenerationService(world, (report) => void orchestrator.completed(KEY, report.jobId, report.success), service);
      orchestrator = new NaiveOrchestrator(submitter, (label) => world.io(label, undefined), () => SUPPLY);
    },
    setup: () => ({ orchestrator, started }),
    actions,
    invariants: Object.fromEntries(
      ['maxConcurrent exceeded', 'supply exceeded', 'duplicate piece index', 'double counting', 'unauthorized start'].map((invariant) => [
        invariant,
        (ctx: NaiveCtx) => !naiveViolations(ctx.orchestrator.cooks.get(KEY), ownerOf)[invariant],
      ]),
    ),
    eventually: {
      'stuck cook': ({ orchestrator: naive, started: flags }) => !flags.owner || naive.cooks.get(KEY)?.status === 'completed',
    },
  });
}

const ownerStarts = (times: number) =>
  Array.from({ length: times }, (_, i) => ({
    name: `owner starts #${i + 1}`,
    run: async ({ orchestrator, started }: NaiveCtx) => {
      started.owner = true;
      await orchestrator.start(COLLECTION, OWNER, OWNER, 2);
    },
  }));

const NAIVE_SCENARIOS: readonly [Scenario<NaiveCtx>, string][] = [
  [naiveCookScenario('naive-cook-concurrent-starts', {}, ownerStarts(3)), 'maxConcurrent exceeded'],
  [naiveCookScenario('naive-cook-supply', {}, ownerStarts(3)), 'supply exceeded'],
  [naiveCookScenario('naive-cook-indices', {}, ownerStarts(2)), 'duplicate piece index'],
  [naiveCookScenario('naive-cook-three-paths', { duplicateWebhookRate: 0.6 }, ownerStarts(1)), 'double counting'],
  [naiveCookScenario('naive-cook-submit-failures', { submitFailureRate: 0.4 }, ownerStarts(1)), 'stuck cook'],
  [
    naiveCookScenario('naive-cook-intruder', {}, [
      { name: 'intruder starts', run: ({ orchestrator }: NaiveCtx) => orchestrator.start(COLLECTION, OWNER, 'mallory', 2) },
      ...ownerStarts(1),
    ]),
    'unauthorized start',
  ],
];

describe('the naive orchestrator under the cook scenarios', () => {
  for (const [scenario, bug] of NAIVE_SCENARIOS) {
    it(`${scenario.name}: finds "${bug}" and replays it`, async () => {
      const found = new Map<string, string>();
      await explore(scenario, {
        schedules: 300,
        stopOnViolation: false,
        onSchedule: (result) => {
          if (result.violation && !found.has(result.violation.name)) found.set(result.violation.name, replayLine(result));
        },
      });
      const line = found.get(bug);
      expect(line, `found only: ${[...found.keys()].join(', ')}`).toBeDefined();
      const again = await replay(scenario, line as string);
      expect(again.violation?.name).toBe(bug);
    });
  }
});
