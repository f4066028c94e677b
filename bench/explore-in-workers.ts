/**
 * Explores many scenarios at once, one worker thread per core, so a bench
 * group that runs 100,000 schedules stays within its time bound. Each
 * exploration is the same as in one thread (the same seeds, the same
 * verdicts): only the wall time is shared.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** What one scenario's exploration came to. */
export interface ExploredScenario {
  readonly scenario: string;
  readonly schedules: number;
  readonly violations: number;
  readonly elapsedMs: number;
}

/**
 * Explores each of `names` (scenarios of the array `exportName` exported by
 * the compiled module at `module`) for `schedules` schedules; resolves in the
 * order of `names`.
 */
export async function exploreInWorkers(module: URL, exportName: string, names: readonly string[], schedules: number): Promise<ExploredScenario[]> {
  const results: ExploredScenario[] = new Array(names.length);
  let next = 0;
  const runOne = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL('./tasks/explore-scenario.js', import.meta.url), {
        workerData: { module: module.href, exportName, scenario: names[index], schedules },
      });
      worker.once('message', (result: ExploredScenario) => {
        results[index] = result;
        void worker.terminate().then(() => resolve());
      });
      worker.once('error', reject);
    });
  const lane = async () => {
    while (next < names.length) await runOne(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), names.length)) }, lane));
  return results;
}
