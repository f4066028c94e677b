import { PerformanceObserver } from 'node:perf_hooks';
import type { BenchGroup } from './harness.js';
import { explore, runOnRealRuntime, runSeed } from '../src/runtime/simulator/index.js';
import { ledgerScenario, relayScenario } from './scenarios/ledger.js';

const group: BenchGroup = {
  name: 'sim',
  async run(report) {
    const sample = await runSeed(ledgerScenario, 1, 'portfolio');
    report({ name: 'sim.steps_per_schedule', value: sample.steps, unit: 'steps' });
    await explore(ledgerScenario, { schedules: 200 }); // warm up
    const runs: number[] = [];
    // Time in GC while exploring: finished worlds must die young. (A getter in a per-system
    // object literal once kept every world alive until a full GC: 18 % of the time went to GC.)
    let gcMs = 0;
    const gcWatch = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcMs += entry.duration;
    });
    gcWatch.observe({ entryTypes: ['gc'] });
    const started = performance.now();
    for (let round = 0; round < 5; round++) {
      const result = await explore(ledgerScenario, { schedules: 2_000, firstSeed: round * 2_000 + 1, stopOnViolation: false });
      if (result.violations.length > 0) throw new Error(`bench scenario broke: ${result.violations.length} violations`);
      runs.push(result.schedulesPerSecond);
    }
    await new Promise((resolve) => setImmediate(resolve)); // the last GC entries arrive on a later turn
    gcWatch.disconnect();
    runs.sort((a, b) => a - b);
    report({ name: 'sim.schedules_per_sec', value: runs[2] as number, unit: 'schedules/s', target: '>= 5000' });
    report({ name: 'sim.gc_share', value: gcMs / (performance.now() - started), unit: 'of wall time' });

    // The same measure on a messaging-only scenario: what the simulator itself costs per step.
    const relaySample = await runSeed(relayScenario, 1, 'portfolio');
    report({ name: 'sim.messaging_steps_per_schedule', value: relaySample.steps, unit: 'steps' });
    const relayRuns: number[] = [];
    for (let round = 0; round < 5; round++) {
      relayRuns.push((await explore(relayScenario, { schedules: 2_000, firstSeed: round * 2_000 + 1, stopOnViolation: false })).schedulesPerSecond);
    }
    relayRuns.sort((a, b) => a - b);
    report({ name: 'sim.messaging_schedules_per_sec', value: relayRuns[2] as number, unit: 'schedules/s' });

    let simulatedMs = 0;
    let realMs = 0;
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await runSeed(ledgerScenario, i + 1, 'random');
      simulatedMs += performance.now() - started;
      realMs += (await runOnRealRuntime(ledgerScenario, i + 1)).elapsedMs;
    }
    report({ name: 'sim.wall_vs_real_runtime', value: simulatedMs / realMs, unit: 'x' });
  },
};

export default group;
