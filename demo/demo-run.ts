/**
 * The whole-mission demo behind `npm start` (see demo.ts, its entry, for
 * what it shows and its exit codes). {@link runDemo} sets the services up,
 * runs the round until every cook and job has ended, the deadline passes or
 * `interrupt` aborts, then stops the domains and prints the summary tables
 * of what ran. Interrupted during setup, it starts nothing more: the tables
 * show where the data directory stands.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  cookInvariantViolations,
  cookKey,
  createCookActors,
  createCookWebhook,
  createHttpSubmitter,
  startWebhookServer,
  type CookDefinition,
  type CookSnapshot,
  type CookState,
} from '../src/actors/cook/index.js';
import { GenerationService } from './generation-service/index.js';
import { LowdbStore, Persistence } from '../src/persistence/index.js';
import { PiscinaPool } from '../src/pools/index.js';
import { ActorSystem, type ActorRef } from '../src/runtime/index.js';
import { planRound, type Plan, type RoundCook } from './demo-plan.js';
import { renderSummary } from './demo-summary.js';
import { createProgressView, type ProgressRow } from './progress-bars.js';
import { defaultDomains, startDashboard } from '../src/operator/index.js';
import { renderDomains } from './demo-domains.js';
import { startDemoWorkers } from './demo-workers.js';
import { startMediaDemo, type MediaDemoLine } from './media-demo.js';
import { startCookieDemo, type CookieDemoLine } from './cookie-demo.js';
import { renderCookieTable, renderFooter, renderMediaTable } from './demo-tables.js';

const DATA_DIR = process.env.STEWARD_DATA_DIR ?? './data';
/** When the demo stops waiting for its cooks (progress is saved); a loaded machine (a test run beside the full suite) may give it longer. */
const DEADLINE_MS = Number(process.env.STEWARD_DEMO_DEADLINE_MS ?? 40_000);
const INTRUDER = 'mallory';
/** The user whose cook is paused and resumed mid-way, to show both. */
const PAUSER = 'cora';
const PAUSE_MS = 1_500;

const isFinal = (status: string) => status === 'completed' || status === 'failed' || status === 'stopped';
const isFinalJob = (status: string) => status === 'completed' || status === 'failed' || status === 'cancelled';
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Waits `ms`, or less if `signal` aborts meanwhile. */
const pauseFor = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

/** Runs one round; resolves with the exit code (0, 1 invariant or unexpected end, 2 deadline, 130 interrupted). */
export async function runDemo(interrupt: AbortSignal): Promise<number> {
  const startedAt = performance.now();
  const out = process.stdout;
  const tty = out.isTTY === true;
  const interrupted = () => interrupt.aborted;

  const store = await LowdbStore.open({ dir: DATA_DIR });
  const persistence = new Persistence(store);
  // Download, validate and thumbnail on one pool, cookie rotations on another: the system closes both. Idle threads are
  // kept (piscina ends a thread above minThreads as soon as it idles, and a new one loads its modules again: ~0.5 s of CPU).
  const mediaPool = new PiscinaPool({ name: 'media', maxThreads: 2, idleTimeout: 60_000 });
  const media = await startMediaDemo({ downloadsDir: join(DATA_DIR, 'downloads'), pool: mediaPool, persistence });
  const cookies = await startCookieDemo(Date.now());
  const system = new ActorSystem({
    persistence,
    askTimeoutMs: 10_000,
    recordTimings: true,
    pools: { media: mediaPool, rotate: new PiscinaPool({ name: 'rotate', maxThreads: 2, idleTimeout: 60_000 }) },
    reminders: { actors: [media.queue.actor, cookies.Cookie] },
  });
  const plan = await planRound(persistence);
  out.write(describePlan(plan));

  // The service signs each webhook with a secret only it and this process know: a forged report is refused.
  const webhookSecret = randomBytes(32).toString('hex');
  const service = new GenerationService({
    webhookSecret,
    seed: plan.round.run,
    minDelayMs: 40,
    maxDelayMs: 200,
    submitFailureRate: 0.03,
    ackLossRate: 0.01,
    syncCompletionRate: 0.05,
    jobFailureRate: 0.01,
    webhookDuplicateRate: 0.2,
    webhookDropRate: 0.1,
  });
  const submitter = createHttpSubmitter({ baseUrl: (await service.start()).url });
  const holder: { Cook?: CookDefinition } = {};
  const hook = await startWebhookServer((delivery) => createCookWebhook(system, holder.Cook as CookDefinition, { secret: webhookSecret })(delivery));
  // retryBackoffMs 0: with a backoff, a due retry that finds every slot taken makes the cook spin (see the report).
  const { Cook } = createCookActors({ submitter, webhookUrl: hook.url, pollIntervalMs: 300, retryBackoffMs: 20, maxSubmitAttempts: 6 });
  holder.Cook = Cook;
  const refs = plan.round.cooks.map((cook) => ({ cook, ref: system.ref(Cook, cookKey(cook.collectionId, cook.userId)) }));
  const view = createProgressView(out);
  const workers = await startDemoWorkers(system, view.note.bind(view));
  // The domains the dashboard and inspect show; the demo prints its own tables for cooks, the media queue and cookies.
  const domains = defaultDomains({ workers: { registry: workers.registry } });
  const ops = await startDashboard({ system, reader: persistence, domains, port: Number(process.env.STEWARD_DASHBOARD_PORT ?? 0) });
  view.note(`dashboard: ${ops.url} (live while the demo runs; /metrics for Prometheus)`);

  let exitCode = 0;
  try {
    // Each step starts only if no interrupt came meanwhile; the loop below then reads once and ends.
    if (!interrupted()) await workers.race();
    if (!interrupted()) {
      // The intruder goes first, so "nothing changed" is plain to see.
      const target = plan.round.cooks[0] as RoundCook;
      const refusal = await system
        .ref(Cook, cookKey(target.collectionId, target.userId))
        .ask(plan.kind === 'resume' ? 'stop' : 'start', { requester: INTRUDER })
        .then(() => 'accepted', (error: { code?: string }) => error.code ?? 'unknown');
      view.note(`intruder '${INTRUDER}' tried to ${plan.kind === 'resume' ? 'stop' : 'start'} the cook of ${target.collectionId}: ${refusal}`);
      if (refusal !== 'ERR_FORBIDDEN') exitCode = 1;
    }
    if (!interrupted()) await Promise.all(refs.map(({ cook, ref }) => begin(cook, ref)));
    if (!interrupted()) {
      await media.enqueue(system, plan.round.run);
      view.note(`media: ${media.queue.name} queue took this round's posts from the local media host (${media.host.url})`);
    }
    if (!interrupted()) await cookies.start(system, view.note.bind(view));

    const checked = { cooks: 0, media: 0, cookies: 0 };
    const violations: string[] = [];
    let pause: PauseStep = { state: 'before', since: 0 };
    let snapshots: CookSnapshot[] = [];
    let mediaLines: MediaDemoLine[] = [];
    let cookieLines: CookieDemoLine[] = [];
    const allFinal = () => snapshots.every((snapshot) => isFinal(snapshot.status)) && mediaLines.every((line) => isFinalJob(line.status));
    for (;;) {
      [snapshots, mediaLines, cookieLines] = await Promise.all([Promise.all(refs.map(({ ref }) => ref.ask('status', {}))), media.lines(system), cookies.lines(system, persistence)]);
      for (const { cook, ref } of refs) {
        checked.cooks++;
        for (const broken of cookInvariantViolations(system.peekState(ref) as CookState | undefined)) violations.push(`${cook.collectionId}: ${broken}`);
      }
      violations.push(...(await media.violations(mediaLines)), ...cookies.violations(cookieLines));
      checked.media += mediaLines.length;
      checked.cookies += cookieLines.length;
      view.update([...snapshots.map(rowOf), media.row(mediaLines), cookies.row(cookieLines)]);
      if (violations.length > 0 || interrupted() || allFinal()) break;
      if (performance.now() - startedAt > DEADLINE_MS) break;
      pause = await pauseAndResume(pause, refs, view.note.bind(view));
      await pauseFor(tty ? 100 : 1_000, interrupt);
    }

    if (violations.length > 0) {
      for (const violation of violations) view.note(`INVARIANT BROKEN ${violation}`);
      exitCode = 1;
    } else if (interrupted()) {
      view.note(`interrupted: progress is saved in ${DATA_DIR}; run again to resume`);
      exitCode = 130;
    } else if (!allFinal()) {
      view.note(`deadline of ${DEADLINE_MS / 1000} s reached: progress is saved in ${DATA_DIR}; run again to resume`);
      exitCode = 2;
    } else {
      // Late duplicates still in flight are absorbed before the counts are final (bounded: the demo must exit).
      await Promise.race([service.idle(), delay(2_000)]);
      snapshots = await Promise.all(refs.map(({ ref }) => ref.ask('status', {})));
      mediaLines = await media.lines(system);
      for (const line of mediaLines.filter((l) => !l.asExpected)) view.note(`UNEXPECTED media ${line.jobId} (${line.story}) ended ${line.ended}`);
      if (mediaLines.some((line) => !line.asExpected)) exitCode = 1;
    }
    // Read while the schedules still run (the monitors as they were), then stop them: the next run logs in again.
    cookieLines = await cookies.lines(system, persistence, true);
    await cookies.stop(system);
    out.write(`\n${renderSummary(snapshots, { service: service.stats() })}\n`);
    out.write(`\n${renderMediaTable(media.queue.name, mediaLines)}\n`);
    out.write(`\n${renderCookieTable(cookieLines, await cookies.latestFailures(persistence, 6))}\n`);
    out.write(`\n${await renderDomains(domains, persistence, system.metrics(), new Set(['cooks', 'queues', 'cookies']))}\n`);
    out.write(`\n${renderFooter(checked, violations.length, performance.now() - startedAt)}\n`);
  } finally {
    await media.stop(system, 2_000);
    await workers.stop();
    await ops.close();
    await system.shutdown({ deadlineMs: 3_000 });
    await hook.close();
    await service.close();
    await media.close();
    await cookies.close();
  }
  return exitCode;

  async function begin(cook: RoundCook, ref: ActorRef<CookDefinition>): Promise<void> {
    const status = (await ref.ask('status', {})).status; // on resume, activation reconciles pending jobs
    if (status === 'idle') await ref.ask('start', { requester: cook.userId, maxConcurrent: cook.maxConcurrent });
    else if (status === 'paused') await ref.ask('resume', { requester: cook.userId });
  }
}

/** Where the pause/resume showcase stands. */
interface PauseStep {
  readonly state: 'before' | 'paused' | 'done';
  /** When the pause began (performance.now()). */
  readonly since: number;
}

/** Pauses one cook at about a third of the way, and resumes it PAUSE_MS later. */
async function pauseAndResume(
  pause: PauseStep,
  refs: readonly { cook: RoundCook; ref: ActorRef<CookDefinition> }[],
  note: (line: string) => void,
): Promise<PauseStep> {
  const entry = refs.find(({ cook }) => cook.userId === PAUSER);
  if (!entry || pause.state === 'done') return pause;
  const snapshot = await entry.ref.ask('status', {});
  if (pause.state === 'before' && snapshot.status === 'running' && snapshot.generatedCount * 3 >= snapshot.total) {
    await entry.ref.ask('pause', { requester: PAUSER });
    note(`${PAUSER} paused ${entry.cook.collectionId} at ${snapshot.generatedCount}/${snapshot.total}`);
    return { state: 'paused', since: performance.now() };
  }
  if (pause.state === 'paused' && performance.now() - pause.since >= PAUSE_MS) {
    if (snapshot.status === 'paused') await entry.ref.ask('resume', { requester: PAUSER });
    note(`${PAUSER} resumed ${entry.cook.collectionId} at ${snapshot.generatedCount}/${snapshot.total}`);
    return { state: 'done', since: pause.since };
  }
  return pause;
}

function rowOf(snapshot: CookSnapshot): ProgressRow {
  return {
    label: `${snapshot.collectionId} (${snapshot.userId})`,
    done: snapshot.generatedCount,
    total: snapshot.total,
    status: snapshot.status,
    detail: `dup ${snapshot.stats.duplicatesAbsorbed}  retry ${snapshot.stats.submitRetries}  poller ${snapshot.stats.completionsBySource.poller}`,
  };
}

function describePlan(plan: Plan): string {
  const cooks = plan.round.cooks.map((cook) => `${cook.collectionId} (${cook.userId}, ${cook.supply} pieces)`).join(', ');
  switch (plan.kind) {
    case 'first':
      return `steward demo, data in ${DATA_DIR}: no earlier round found, starting round ${plan.round.run}: ${cooks}\n`;
    case 'fresh':
      return `steward demo, data in ${DATA_DIR}: round ${plan.previousRun} had finished, starting fresh round ${plan.round.run}: ${cooks}\n`;
    case 'resume':
      return `steward demo, data in ${DATA_DIR}: round ${plan.round.run} was unfinished, resuming ${plan.unfinished.map((cook) => cook.collectionId).join(', ')}\n`;
  }
}
