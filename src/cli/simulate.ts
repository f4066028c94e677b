/**
 * `npm run simulate -- --scenario NAME --seeds N [--strategy random|pct|portfolio] [--module FILE.js]`
 * `npm run simulate -- --replay "scenario=NAME strategy=S seed=N" [--module FILE.js]`
 * `npm run simulate -- --list`
 *
 * Explores a scenario over N seeded schedules with a progress bar and a
 * summary table; on a violation prints the replay line and the shrunk
 * timeline and exits 1. `--replay` re-runs one schedule and prints its timeline.
 */
import { parseArgs } from 'node:util';
import {
  checkDeterminism,
  DEFAULT_COVERAGE,
  explore,
  parseReplayLine,
  replay,
  replayLine,
  shrink,
  STRATEGIES,
  timeline,
  type Coverage,
  type Scenario,
  type StrategyName,
} from '../runtime/simulator/index.js';
import { BUILT_IN_SCENARIOS, loadScenarioModule } from './scenario-registry.js';

/** Seeds of an exploration replayed twice to check that runs are repeatable. */
const DETERMINISM_SAMPLE = 5;

const USAGE = `usage: npm run simulate -- --scenario NAME [--seeds N] [--strategy ${Object.keys(STRATEGIES).join('|')}] [--first-seed N] [--module FILE.js]
       npm run simulate -- --replay "scenario=NAME strategy=S seed=N" [--module FILE.js]
       npm run simulate -- --list [--module FILE.js]`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      seeds: { type: 'string', default: '1000' },
      strategy: { type: 'string', default: 'portfolio' },
      'first-seed': { type: 'string', default: '1' },
      replay: { type: 'string' },
      module: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return usage(0);
  const scenarios = new Map(BUILT_IN_SCENARIOS);
  if (values.module) for (const [name, scenario] of await loadScenarioModule(values.module)) scenarios.set(name, scenario);
  if (values.list) {
    for (const name of [...scenarios.keys()].sort()) console.log(name);
    return 0;
  }
  if (values.replay) {
    const line = parseReplayLine(values.replay);
    const scenario = pick(scenarios, line.scenario);
    if (!scenario) return usage(2);
    const result = await replay(scenario, values.replay);
    console.log(timeline(result, 500));
    return result.violation ? 1 : 0;
  }
  const scenario = values.scenario ? pick(scenarios, values.scenario) : undefined;
  const seeds = Number(values.seeds);
  const firstSeed = Number(values['first-seed']);
  const strategy = values.strategy as StrategyName;
  if (!scenario || !Number.isSafeInteger(seeds) || seeds < 1 || !Number.isSafeInteger(firstSeed) || !(strategy in STRATEGIES)) return usage(2);

  const bar = progressBar(seeds);
  const report = await explore(scenario, { schedules: seeds, firstSeed, strategy, onSchedule: (_result, index) => bar(index + 1) });
  bar.done();
  const sample = Array.from({ length: Math.min(DETERMINISM_SAMPLE, report.schedules) }, (_, i) => firstSeed + Math.floor((i * report.schedules) / DETERMINISM_SAMPLE));
  const differing = await checkDeterminism(scenario, sample, strategy);
  printSummary([
    ['scenario', scenario.name],
    ['strategy', strategy],
    ['schedules run', String(report.schedules)],
    ['violations', String(report.violations.length)],
    ['schedules/s', report.schedulesPerSecond.toFixed(0)],
    ['wall time', `${(report.elapsedMs / 1000).toFixed(1)} s`],
    ['determinism', differing.length === 0 ? `ok (${sample.length} seeds replayed, same trace hashes)` : `BROKEN: seeds ${differing.join(', ')} replayed differently`],
    ...coverageRows(report.coverage, scenario),
  ]);
  if (differing.length > 0) return 1;
  const failing = report.violations[0];
  if (!failing) return 0;
  console.log(`\n${timeline(failing, 60)}`);
  const shrunk = await shrink(scenario, failing);
  console.log(`\nshrunk to ${shrunk.steps} steps:\n${timeline(shrunk, 200)}`);
  console.log(`\nreplay with: npm run simulate -- --replay "${replayLine(failing)}"`);
  console.log(`the shrunk run: npm run simulate -- --replay "${replayLine(shrunk)}"`);
  return 1;
}

/** One summary row per action and `eventually` goal: the share of schedules that tested it, against the scenario's threshold. */
function coverageRows(coverage: Coverage, scenario: Scenario<any>): [string, string][] {
  const row = (kind: string, name: string, share: number, least: number): [string, string] => [
    `${kind} ${name}`,
    `${(share * 100).toFixed(1)} % of schedules${share < least ? `  BELOW ${(least * 100).toFixed(0)} %` : ''}`,
  ];
  return [
    ['coverage', 'share of schedules in which each action ran to its end / each goal was reached by the system'],
    ...Object.entries(coverage.actions).map(([name, share]) => row('  action', name, share, scenario.coverage?.actions ?? DEFAULT_COVERAGE)),
    ...Object.entries(coverage.eventually).map(([name, share]) => row('  goal', name, share, scenario.coverage?.eventually ?? DEFAULT_COVERAGE)),
  ];
}

function pick(scenarios: ReadonlyMap<string, Scenario<any>>, name: string): Scenario<any> | undefined {
  const scenario = scenarios.get(name);
  if (!scenario) console.error(`unknown scenario '${name}'; known: ${[...scenarios.keys()].sort().join(', ')}`);
  return scenario;
}

function usage(code: number): number {
  (code === 0 ? console.log : console.error)(USAGE);
  return code;
}

/** A one-line progress bar on a TTY; a line per 10 % elsewhere. */
function progressBar(total: number): ((done: number) => void) & { done(): void } {
  const tty = process.stdout.isTTY === true;
  let lastDecile = -1;
  const update = (done: number) => {
    const fraction = done / total;
    if (tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      if (done === total || done % Math.max(1, Math.floor(total / 200)) === 0) {
        process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
      }
    } else if (Math.floor(fraction * 10) > lastDecile) {
      lastDecile = Math.floor(fraction * 10);
      console.log(`${done}/${total} schedules`);
    }
  };
  return Object.assign(update, { done: () => tty && process.stdout.write('\n') });
}

function printSummary(rows: readonly [string, string][]): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('');
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}

process.exitCode = await main();
