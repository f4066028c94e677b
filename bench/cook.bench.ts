/**
 * Cook orchestration, end to end: 100 cooks at once against the local
 * generation service, through steward (cook actors, lowdb with fsync) and
 * through the naive orchestrator of DESIGN.md (same service, same faults);
 * then the simulator over every cook scenario.
 *
 * The service runs in a worker thread: in one process the service's own
 * webhook fetches and the cooks' 300 concurrent submits share one event loop
 * and undici pool, and fetch starvation, not the cooks, would set the pace.
 * The same file is the worker's entry (see the bottom).
 */
import { GenerationService, type GenerationServiceOptions, type GenerationServiceStats } from '../demo/generation-service/index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { BenchGroup } from './harness.js';
import { exploreInWorkers } from './explore-in-workers.js';
import { ActorSystem, realClock } from '../src/runtime/index.js';
import { LowdbStore, Persistence } from '../src/persistence/index.js';
import {
  COLLECTIONS,
  cookInvariantViolations,
  cookKey,
  createCookActors,
  createCookWebhook,
  createHttpSubmitter,
  createWebhookHandler,
  startWebhookServer,
  type CookDefinition,
  type CookState,
} from '../src/actors/cook/index.js';
import { COOK_SCENARIOS } from '../src/actors/cook/simulation/scenarios.js';
import { NaiveOrchestrator, naiveViolations } from '../test/fixtures/naive-orchestrator.js';

const COOKS = 100;
const PIECES = 40;
const MAX_CONCURRENT = 3;
const SIM_SCHEDULES = 10_000;
/** The naive orchestrator has no poller and leaks slots: when nothing moves for this long, what is left is stuck. */
const NAIVE_QUIET_MS = 1_500;

const WEBHOOK_SECRET = 'cook-bench-webhook-secret';
const SERVICE: GenerationServiceOptions = {
  webhookSecret: WEBHOOK_SECRET,
  seed: 42,
  minDelayMs: 5,
  maxDelayMs: 30,
  submitFailureRate: 0.02,
  syncCompletionRate: 0.05,
  webhookDuplicateRate: 0.1,
  webhookDropRate: 0.05,
};

const users = Array.from({ length: COOKS }, (_, i) => `user-${i}`);
const collectionOf = (user: string) => `col-${user}`;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The generation service in a worker thread: its URL, its counters, and a way to stop it. */
async function startServiceWorker(): Promise<{ url: string; stats(): Promise<GenerationServiceStats>; close(): Promise<void> }> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'cook-service', options: SERVICE } });
  const ask = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      worker.once('message', (message: { type: string; value: T }) => (message.type === type ? resolve(message.value) : reject(new Error(`unexpected ${message.type}`))));
      worker.postMessage(type);
    });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (message: { type: string; value: string }) => resolve(message.value));
    worker.once('error', reject);
  });
  return {
    url,
    stats: () => ask<GenerationServiceStats>('stats'),
    close: async () => {
      await ask('close');
      await worker.terminate();
    },
  };
}

/** steward: pieces per second, submit to durable completion, over lowdb with fsync. */
async function runSteward(): Promise<{ piecesPerSec: number; pieces: number; elapsedMs: number; violations: number; stats: GenerationServiceStats; duplicates: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-cook-bench-'));
  const service = await startServiceWorker();
  const persistence = new Persistence(await LowdbStore.open({ dir }));
  const system = new ActorSystem({ persistence, askTimeoutMs: 30_000 });
  const holder: { Cook?: CookDefinition } = {};
  const hook = await startWebhookServer((delivery) => createCookWebhook(system, holder.Cook as CookDefinition, { secret: WEBHOOK_SECRET })(delivery));
  // retryBackoffMs 0 sidesteps the cook's retry spin (a due retry with every slot taken); see the real-runtime tests.
  const { Cook } = createCookActors({ submitter: createHttpSubmitter({ baseUrl: service.url }), webhookUrl: hook.url, pollIntervalMs: 200, retryBackoffMs: 20, maxSubmitAttempts: 8 });
  holder.Cook = Cook;
  try {
    await persistence.commit(users.map((user) => ({ op: 'put' as const, collection: COLLECTIONS, key: collectionOf(user), value: { id: collectionOf(user), ownerId: user, supply: PIECES } })));
    const refs = users.map((user) => system.ref(Cook, cookKey(collectionOf(user), user)));
    const started = performance.now();
    await Promise.all(users.map((user, i) => refs[i]?.ask('start', { requester: user, maxConcurrent: MAX_CONCURRENT })));
    let snapshots = await Promise.all(refs.map((ref) => ref.ask('status', {})));
    // A status answer comes after every earlier turn, and a counting turn ends only once its save is durable.
    while (!snapshots.every((snapshot) => snapshot.status === 'completed' || snapshot.status === 'failed')) {
      await delay(20);
      snapshots = await Promise.all(refs.map((ref) => ref.ask('status', {})));
    }
    const elapsedMs = performance.now() - started;
    const pieces = snapshots.reduce((sum, snapshot) => sum + snapshot.generatedCount, 0);
    const violations = refs.reduce((sum, ref) => sum + cookInvariantViolations(system.peekState(ref) as CookState).length, 0);
    const duplicates = snapshots.reduce((sum, snapshot) => sum + snapshot.stats.duplicatesAbsorbed, 0);
    return { piecesPerSec: pieces / (elapsedMs / 1000), pieces, elapsedMs, violations, stats: await service.stats(), duplicates };
  } finally {
    await system.shutdown({ deadlineMs: 2_000 });
    await hook.close();
    await service.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The naive orchestrator on the same workload; its pauses are bare event-loop yields (no store at all, so it gets every advantage). */
async function runNaive(): Promise<{ piecesPerSec: number; pieces: number; elapsedMs: number; violations: number; doubleCounts: number; flags: number; stuck: number }> {
  const service = await startServiceWorker();
  let lastProgress = performance.now();
  const holder: { naive?: NaiveOrchestrator } = {};
  const hook = await startWebhookServer(
    createWebhookHandler((completion) => {
      const [collectionId = '', userId = ''] = completion.jobId.split('~');
      lastProgress = performance.now();
      void holder.naive?.completed(cookKey(collectionId, userId), completion.jobId, completion.success);
    }, { secret: WEBHOOK_SECRET, clock: realClock }),
  );
  const url = hook.url;
  const submitter = createHttpSubmitter({ baseUrl: service.url });
  const naive = new NaiveOrchestrator(
    { submit: (job) => submitter.submit({ ...job, webhookUrl: url }), query: (jobId) => submitter.query(jobId) },
    () => new Promise<void>((resolve) => setImmediate(resolve)),
    () => PIECES,
  );
  holder.naive = naive;
  try {
    const started = performance.now();
    // The same requests as steward's: each owner starts its cook (the naive code awaits its whole schedule loop, so don't).
    for (const user of users) void naive.start(collectionOf(user), user, user, MAX_CONCURRENT).catch(() => undefined);
    const done = () => users.every((user) => naive.cooks.get(cookKey(collectionOf(user), user))?.status === 'completed');
    while (!done() && performance.now() - lastProgress < NAIVE_QUIET_MS) await delay(20);
    const elapsedMs = lastProgress - started;
    let pieces = 0;
    let doubleCounts = 0;
    let flags = 0;
    let stuck = 0;
    for (const user of users) {
      const cook = naive.cooks.get(cookKey(collectionOf(user), user));
      if (!cook) continue;
      const distinct = new Set(cook.counted).size;
      pieces += distinct;
      doubleCounts += cook.counted.length - distinct;
      flags += Object.values(naiveViolations(cook, (collectionId) => collectionId.slice('col-'.length))).filter(Boolean).length;
      if (cook.status !== 'completed') stuck++;
    }
    return { piecesPerSec: pieces / (elapsedMs / 1000), pieces, elapsedMs, violations: flags + doubleCounts, doubleCounts, flags, stuck };
  } finally {
    await hook.close();
    await service.close();
  }
}

const group: BenchGroup = {
  name: 'cook',
  async run(report) {
    const steward = await runSteward();
    console.log(
      `  steward: ${steward.pieces} pieces in ${(steward.elapsedMs / 1000).toFixed(1)} s; ${steward.duplicates} duplicates absorbed; ` +
        `service: ${steward.stats.submitFailuresInjected} submit failures, ${steward.stats.webhooksDuplicated} webhooks twice, ${steward.stats.webhooksDropped} dropped; invariant violations ${steward.violations}`,
    );
    if (steward.violations > 0) throw new Error(`steward broke ${steward.violations} cook invariants`);
    report({ name: 'cook.pieces_per_sec', value: steward.piecesPerSec, unit: 'pieces/s' });

    const naive = await runNaive();
    console.log(
      `  naive: ${naive.pieces} distinct pieces in ${(naive.elapsedMs / 1000).toFixed(1)} s; ${naive.flags} invariant flags, ${naive.doubleCounts} double counts, ${naive.stuck} stuck cooks`,
    );
    report({ name: 'cook.naive_pieces_per_sec', value: naive.piecesPerSec, unit: 'pieces/s' });
    report({ name: 'cook.naive_violations', value: naive.violations, unit: 'violations' });

    let schedules = 0;
    let violations = 0;
    const scenarios = new URL('../src/actors/cook/simulation/scenarios.js', import.meta.url);
    for (const result of await exploreInWorkers(scenarios, 'COOK_SCENARIOS', COOK_SCENARIOS.map((scenario) => scenario.name), SIM_SCHEDULES)) {
      console.log(`  ${result.scenario}: ${result.schedules} schedules, ${result.violations} violations, ${(result.elapsedMs / 1000).toFixed(1)} s`);
      schedules += result.schedules;
      violations += result.violations;
    }
    report({ name: 'cook.sim_schedules', value: schedules, unit: 'schedules', target: `>= ${SIM_SCHEDULES * COOK_SCENARIOS.length}` });
    report({ name: 'cook.sim_violations', value: violations, unit: 'violations', target: '0' });
  },
};

export default group;

/** Worker entry: serve the generation service, answer 'stats', stop on 'close'. */
if (!isMainThread && (workerData as { role?: string } | null)?.role === 'cook-service') {
  const service = new GenerationService((workerData as { options: GenerationServiceOptions }).options);
  const { url } = await service.start();
  parentPort?.postMessage({ type: 'url', value: url });
  parentPort?.on('message', (type: string) => {
    if (type === 'stats') parentPort?.postMessage({ type, value: service.stats() });
    if (type === 'close') void service.close().then(() => parentPort?.postMessage({ type, value: null }));
  });
}
