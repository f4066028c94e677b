/**
 * Task pools against raw piscina on the same number of threads: throughput
 * with 10,000 tasks in flight, single-task round trips, and the cost of the
 * progress channel. The tasks are the compiled test fixtures (`echo`,
 * `progress`), so both sides run the very same function.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { z } from 'zod';
import { defineTask, PiscinaPool } from '../src/pools/index.js';
import { collectGarbage, opsPerSecond, percentile, type BenchGroup } from './harness.js';

const IN_FLIGHT = 10_000;
const THROUGHPUT_MS = 1_500;
const ROUNDS = 3;
const ROUND_TRIPS = 3_000;
const THREADS = Math.min(4, Math.max(2, availableParallelism()));

const fixture = (name: string): URL => new URL(`../test/pools/fixtures/${name}.js`, import.meta.url);

const echo = defineTask({
  name: 'echo',
  module: fixture('echo'),
  input: z.object({ n: z.number() }),
  result: z.object({ doubled: z.number() }),
});
const withProgress = defineTask({
  name: 'progress',
  module: fixture('progress'),
  input: z.object({ count: z.number().int() }),
  result: z.number(),
  progress: z.object({ step: z.number().int().positive() }),
});

async function roundTrips(run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 200; i++) await run(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const start = performance.now();
    await run();
    samples.push((performance.now() - start) * 1000);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

function inFlight(run: () => Promise<unknown>): (n: number) => Promise<void> {
  return async (n) => {
    await Promise.all(Array.from({ length: n }, run));
  };
}

const group: BenchGroup = {
  name: 'pools',
  async run(report) {
    const raw = new Piscina({ filename: fileURLToPath(fixture('echo')), name: 'echo', minThreads: THREADS, maxThreads: THREADS });
    const pool = new PiscinaPool({ name: 'bench', minThreads: THREADS, maxThreads: THREADS, maxQueue: IN_FLIGHT });
    try {
      const runRaw = (): Promise<unknown> => raw.run({ n: 1 });
      const runSteward = (): Promise<unknown> => pool.run(echo, { n: 1 });
      const runProgress = (): Promise<unknown> => pool.run(withProgress, { count: 1 }, { onProgress: () => {}, onHeartbeat: () => {} });

      // Interleaved rounds, best of each, so drift in the machine's load hits both sides alike.
      let rawRate = 0;
      let stewardRate = 0;
      let progressRate = 0;
      for (let round = 0; round < ROUNDS; round++) {
        collectGarbage();
        stewardRate = Math.max(stewardRate, await opsPerSecond(THROUGHPUT_MS, IN_FLIGHT, inFlight(runSteward)));
        collectGarbage();
        rawRate = Math.max(rawRate, await opsPerSecond(THROUGHPUT_MS, IN_FLIGHT, inFlight(runRaw)));
        collectGarbage();
        progressRate = Math.max(progressRate, await opsPerSecond(THROUGHPUT_MS, IN_FLIGHT, inFlight(runProgress)));
      }
      report({ name: 'pools.tasks_vs_raw_piscina', value: stewardRate / rawRate, unit: 'x', target: '>= 0.85' });
      report({ name: 'pools.raw_tasks_per_s', value: rawRate, unit: 'tasks/s' });
      report({ name: 'pools.tasks_per_s', value: stewardRate, unit: 'tasks/s' });
      report({ name: 'pools.progress_tasks_vs_raw', value: progressRate / rawRate, unit: 'x' });

      collectGarbage();
      const rawLatency = await roundTrips(runRaw);
      collectGarbage();
      const latency = await roundTrips(runSteward);
      collectGarbage();
      const progressLatency = await roundTrips(runProgress);
      report({ name: 'pools.p50_us', value: latency.p50, unit: 'us' });
      report({ name: 'pools.p99_us', value: latency.p99, unit: 'us' });
      report({ name: 'pools.raw_p50_us', value: rawLatency.p50, unit: 'us' });
      report({ name: 'pools.raw_p99_us', value: rawLatency.p99, unit: 'us' });
      report({ name: 'pools.progress_p50_us', value: progressLatency.p50, unit: 'us' });
      report({ name: 'pools.progress_p99_us', value: progressLatency.p99, unit: 'us' });
    } finally {
      await Promise.all([raw.destroy(), pool.close({ deadlineMs: 0 })]);
    }
  },
};

export default group;
