/**
 * A worker thread of {@link exploreInWorkers}: imports the module named in
 * its data, explores the scenario of that name from the array it exports,
 * and posts back what the exploration came to.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { explore, type Scenario } from '../../src/runtime/simulator/index.js';

interface ExploreJob {
  readonly module: string;
  readonly exportName: string;
  readonly scenario: string;
  readonly schedules: number;
}

const job = workerData as ExploreJob;
const scenarios = (await import(job.module))[job.exportName] as ReadonlyArray<Scenario<unknown>>;
const scenario = scenarios.find((candidate) => candidate.name === job.scenario);
if (!scenario) throw new Error(`no scenario '${job.scenario}' in ${job.exportName} of ${job.module}`);
const result = await explore(scenario, { schedules: job.schedules, stopOnViolation: false });
parentPort?.postMessage({ scenario: scenario.name, schedules: result.schedules, violations: result.violations.length, elapsedMs: result.elapsedMs });
