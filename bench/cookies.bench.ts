/**
 * Cookie rotation: 10,000 cookies rotated once each against the local
 * provider over loopback, by their cookie actors (rotate tasks on a Piscina
 * pool, every outcome one durable lowdb commit of report + cookie + monitor),
 * against the baseline of the same default rotate function called straight
 * from the main thread with the same concurrency (no actors, no store). Then
 * the cookie scenarios under the simulator.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchGroup } from './harness.js';
import { CookieProviderService } from '../examples/cookie-provider/service.js';
import { ActorSystem } from '../src/index.js';
import { LowdbStore, Persistence } from '../src/persistence/index.js';
import { PiscinaPool } from '../src/pools/index.js';
import { explore } from '../src/runtime/simulator/index.js';
import { COOKIE_SCENARIOS, CookieProviders, createCookieActors, ProviderConfigSchema } from '../src/actors/cookies/index.js';
import { rotateCookie } from '../src/actors/cookies/default-rotate.js';

/** The issue's figure is for 10,000 cookies; `STEWARD_BENCH_COOKIES` makes a quicker run. */
const COOKIES = Number(process.env.STEWARD_BENCH_COOKIES ?? 10_000);
const WAVE = 500;
const SIM_SCHEDULES = 100; // the 10,000-schedule run is test/actors/cookies/scenarios.test.ts

async function inWaves(count: number, run: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += WAVE) {
    await Promise.all(Array.from({ length: Math.min(WAVE, count - start) }, (_, i) => run(start + i)));
  }
}

async function runActors(service: CookieProviderService): Promise<{ perSec: number; failures: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-cookies-bench-'));
  const providers = new CookieProviders();
  providers.register({ service: 'shop', validateUrl: `${service.url}/validate`, rotateUrl: `${service.url}/rotate`, cookieKeys: ['sid'], rotateEveryMs: 3_600_000 });
  const { Cookie } = createCookieActors({ providers, secretKey: 'a3'.repeat(32) });
  const persistence = new Persistence(await LowdbStore.open({ dir }));
  const system = new ActorSystem({ persistence, pools: { rotate: new PiscinaPool({ name: 'rotate', maxThreads: 2, concurrentTasksPerWorker: 128, maxQueue: WAVE * 2 }) }, askTimeoutMs: 120_000 });
  try {
    await inWaves(COOKIES, (i) => system.ref(Cookie, `c${i}`).ask('register', { service: 'shop', value: service.issue(`a${i}`) }));
    console.log(`  ${COOKIES} cookies registered`);
    let failures = 0;
    const started = performance.now();
    await inWaves(COOKIES, async (i) => {
      const summary = await (await system.ref(Cookie, `c${i}`).ask('rotate', {})).settled;
      if (summary.status !== 'success') failures++;
    });
    return { perSec: COOKIES / ((performance.now() - started) / 1000), failures };
  } finally {
    await system.shutdown({ deadlineMs: 30_000 });
    await rm(dir, { recursive: true, force: true });
  }
}

async function runBaseline(service: CookieProviderService): Promise<{ perSec: number; failures: number }> {
  const provider = ProviderConfigSchema.parse({ service: 'shop', validateUrl: `${service.url}/validate`, rotateUrl: `${service.url}/rotate`, cookieKeys: ['sid'], rotateEveryMs: 3_600_000 });
  const cookies = Array.from({ length: COOKIES }, (_, i) => service.issue(`b${i}`));
  let failures = 0;
  const started = performance.now();
  await inWaves(COOKIES, async (i) => {
    const result = await rotateCookie({ provider, cookie: cookies[i] as string, attemptNumber: 1 });
    if (result.status !== 'success') failures++;
  });
  return { perSec: COOKIES / ((performance.now() - started) / 1000), failures };
}

const group: BenchGroup = {
  name: 'cookies',
  async run(report) {
    const service = await CookieProviderService.start();
    try {
      const baseline = await runBaseline(service);
      console.log(`  baseline done: ${baseline.perSec.toFixed(0)} rotations/s`);
      const actors = await runActors(service);
      console.log(`  baseline (direct calls, no actors, no store): ${baseline.perSec.toFixed(0)} rotations/s, ${baseline.failures} failures`);
      console.log(`  cookie actors (pool threads, durable commits): ${actors.perSec.toFixed(0)} rotations/s, ${actors.failures} failures; ratio ${(actors.perSec / baseline.perSec).toFixed(2)}`);
      if (actors.failures > 0) throw new Error(`${actors.failures} rotations failed against a good provider`);
      report({ name: 'cookies.rotations_per_sec', value: actors.perSec, unit: 'rotations/s' });
      report({ name: 'cookies.baseline_rotations_per_sec', value: baseline.perSec, unit: 'rotations/s' });
      report({ name: 'cookies.rotations_ratio', value: actors.perSec / baseline.perSec, unit: 'x baseline' });
      report({ name: 'cookies.provider_max_concurrent_per_cookie', value: service.stats.maxConcurrentPerAccount, unit: 'requests', target: '1' });
    } finally {
      await service.close();
    }
    let schedules = 0;
    let violations = 0;
    for (const scenario of COOKIE_SCENARIOS) {
      const result = await explore(scenario, { schedules: SIM_SCHEDULES, stopOnViolation: false });
      console.log(`  ${scenario.name}: ${result.schedules} schedules, ${result.violations.length} violations, ${(result.elapsedMs / 1000).toFixed(1)} s`);
      schedules += result.schedules;
      violations += result.violations.length;
    }
    report({ name: 'cookies.sim_schedules', value: schedules, unit: 'schedules', target: `>= ${SIM_SCHEDULES * COOKIE_SCENARIOS.length}` });
    report({ name: 'cookies.sim_violations', value: violations, unit: 'violations', target: '0' });
  },
};

export default group;
