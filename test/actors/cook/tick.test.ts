/*
 * The cook's tick, a durable reminder, on the real runtime: it is what
 * resumes a running cook after kill -9 (no message sent to the cook by
 * anyone) and what wakes a passivated one; it is set in the commit that
 * starts the cook and removed in the commit that completes it (or, for a
 * stopped cook, in the one that counts its last outstanding job).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { GenerationService } from '../../../demo/generation-service/index.js';
import { COOKS, cookInvariantViolations, cookKey, createCollection, createCookActors, readCookCompletions, type CookState, type Submitter } from '../../../src/actors/cook/index.js';
import { ActorSystem, type PersistencePort } from '../../../src/index.js';
import { LowdbStore, MemoryStore, Persistence, type CommitResult, type WriteOp } from '../../../src/persistence/index.js';
import { NodeProcess } from '../../cluster/node-processes.js';
import { cleanup, tempDir } from '../../persistence/helpers.js';
import { PassThroughPersistence, range, sorted, startRig, type Rig } from './helpers-real.js';
import { TEST_WEBHOOK_SECRET } from './service/helpers.js';

const FIXTURE = fileURLToPath(new URL('../../../dist/test/actors/cook/fixtures/cook-process.js', import.meta.url));
const KEY = cookKey('autumn', 'ann');
const REMINDERS = 'steward.reminders';

/** The cook's reminders as the store holds them. */
async function remindersOfCook(reader: Pick<PersistencePort, 'query'>): Promise<string[]> {
  const all = await reader.query<{ type: string; key: string; name: string }>(REMINDERS);
  return all.filter(({ value }) => value.type === 'cook' && value.key === KEY).map(({ value }) => value.name);
}

/** Notes every committed batch that wrote the cook's state: that state (copied: the actor keeps changing its own) and its write of the tick. */
class RecordedPersistence extends PassThroughPersistence {
  readonly cookCommits: { state: CookState; tick: 'put' | 'delete' | undefined }[] = [];
  override async commit(batch: readonly WriteOp[], options?: Parameters<PersistencePort['commit']>[1]): Promise<CommitResult> {
    const cook = batch.find((op) => op.op === 'put' && op.collection === COOKS);
    const tick = batch.find((op) => op.collection === REMINDERS)?.op;
    const noted = cook?.op === 'put' ? { state: structuredClone(cook.value as CookState), tick: tick === 'put' || tick === 'delete' ? tick : undefined } : undefined;
    const result = await super.commit(batch, options);
    if (noted) this.cookCommits.push(noted);
    return result;
  }
}

describe("the cook's tick (a durable reminder) on the real runtime", () => {
  const open: { close(): Promise<void> }[] = [];
  const systems: ActorSystem[] = [];
  afterEach(async () => {
    for (const system of systems.splice(0)) await system.shutdown({ deadlineMs: 1_000 });
    for (const closable of open.splice(0).reverse()) await closable.close();
    await cleanup();
  });

  it('kill -9 mid-run: the next process on the same lowdb directory resumes the cook by its tick alone, each piece counted once', async () => {
    const TOTAL = 30;
    // The service is external: it outlives the process that is killed. Dropped webhooks leave jobs only a poll finds.
    const service = new GenerationService({ webhookSecret: TEST_WEBHOOK_SECRET, seed: 9, minDelayMs: 10, maxDelayMs: 40, webhookDropRate: 0.3 });
    open.push(service);
    const { url } = await service.start();
    const dir = await tempDir();
    const child = spawn(process.execPath, [FIXTURE, dir, url, TEST_WEBHOOK_SECRET, String(TOTAL)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const first = new NodeProcess('first', child);
    open.push({ close: async () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')) });
    await first.line('ready');
    await first.line('progress 8 '); // mid-run: durable progress, far from the end
    child.kill('SIGKILL');
    await first.exited;

    const left = await LowdbStore.open({ dir });
    const killed = (await left.get<CookState>(COOKS, KEY))?.value as CookState;
    expect(killed.status).toBe('running');
    expect(killed.generatedCount).toBeLessThan(TOTAL);
    expect(await remindersOfCook(left)).toEqual(['tick']);
    await left.close();

    // A new process on the directory (the dead owner's lock is taken over). Nobody sends the cook anything: its
    // tick, due while no process ran, fires as the system starts, activates it, and every later one polls and refills.
    const started: string[] = [];
    const second: Rig = await startRig({ store: await LowdbStore.open({ dir }), service, cook: { pollIntervalMs: 100 } });
    open.push(second);
    second.system.events.on('actor.started', ({ type, key }) => started.push(`${type}/${key}`));
    await second.persistence.until(
      () => second.persistence.latest.get(KEY)?.status === 'completed',
      () => `${KEY} is ${JSON.stringify(second.persistence.latest.get(KEY) ?? 'never committed since the restart')}`,
    );
    expect(started).toContain(`cook/${KEY}`);
    const counted = (await readCookCompletions(second.persistence, KEY)).filter((completion) => completion.outcome === 'counted');
    expect(sorted(counted.map((completion) => completion.pieceIndex))).toEqual(range(TOTAL));
    expect(second.persistence.violations).toEqual([]);
    expect(service.stats().jobsCreated).toBe(TOTAL); // no piece submitted twice under two ids
    expect(await remindersOfCook(second.persistence)).toEqual([]);
  }, 60_000);

  it('a running cook passivates while its jobs are out; its tick wakes it to poll and refill, until it completes', async () => {
    const TOTAL = 6;
    // No webhook and no synchronous answer: only the poller learns a job finished, and only a tick sets the poller going.
    const rig = await startRig({
      serviceOptions: { seed: 4, minDelayMs: 150, maxDelayMs: 250, webhookDropRate: 1 },
      cook: { pollIntervalMs: 1_000, passivation: { idleAfterMs: 100 } },
    });
    open.push(rig);
    const lifecycle: string[] = [];
    rig.system.events.on('actor.started', ({ type }) => type === 'cook' && lifecycle.push('started'));
    rig.system.events.on('actor.stopped', ({ type, reason }) => type === 'cook' && lifecycle.push(reason));
    await createCollection(rig.persistence, { id: 'autumn', ownerId: 'ann', supply: TOTAL });
    await rig.cook('autumn', 'ann').ask('start', { requester: 'ann', maxConcurrent: 3 });
    await rig.persistence.until(
      () => rig.persistence.latest.get(KEY)?.status === 'completed',
      () => `${KEY} is ${JSON.stringify(rig.persistence.latest.get(KEY))}; lifecycle ${lifecycle.join(' ')}`,
    );
    // Passivated with its jobs out, then started again by a firing (no one else sends it anything), more than once.
    expect(lifecycle.slice(0, 3)).toEqual(['started', 'passivated', 'started']);
    const state = (await rig.persistence.get<CookState>(COOKS, KEY))?.value as CookState;
    expect(state.stats.completionsBySource).toEqual({ sync: 0, webhook: 0, poller: TOTAL });
    expect(cookInvariantViolations(state, await readCookCompletions(rig.persistence, KEY))).toEqual([]);
    expect(rig.persistence.violations).toEqual([]);
    expect(await remindersOfCook(rig.persistence)).toEqual([]);
  }, 60_000);

  it('the tick is set in the commit that starts the cook and removed in the one that completes it; saves between carry no reminder', async () => {
    const instant: Submitter = {
      submit: async (job) => ({ jobId: job.jobId, status: 'succeeded', result: { pieceIndex: job.pieceIndex, uri: `gen://${job.jobId}` } }),
      query: async () => undefined,
    };
    const persistence = new RecordedPersistence(new Persistence(new MemoryStore()));
    const system = new ActorSystem({ persistence });
    systems.push(system);
    const { Cook } = createCookActors({ submitter: instant, pollIntervalMs: 60_000 });
    await createCollection(persistence, { id: 'autumn', ownerId: 'ann', supply: 8 });
    await system.ref(Cook, KEY).ask('start', { requester: 'ann', maxConcurrent: 2 });
    while ((await system.ref(Cook, KEY).ask('status', {})).status !== 'completed') await new Promise<void>((resolve) => setImmediate(resolve));

    const commits = persistence.cookCommits;
    expect(commits[0]).toMatchObject({ state: { status: 'running', generatedCount: 0 }, tick: 'put' });
    expect(commits.at(-1)).toMatchObject({ state: { status: 'completed', generatedCount: 8 }, tick: 'delete' });
    expect(commits.slice(1, -1).map((commit) => commit.tick)).toEqual(commits.slice(1, -1).map(() => undefined));
    expect(await remindersOfCook(persistence)).toEqual([]);
  });

  it('a stopped cook keeps its tick while jobs are out (their late completions still count), and drops it with the last one', async () => {
    let finished = false;
    const slow: Submitter = {
      submit: async (job) => ({ jobId: job.jobId, status: 'queued' }),
      query: async (jobId) => (finished ? { jobId, status: 'succeeded', result: { pieceIndex: Number(jobId.split('~')[2]), uri: `gen://${jobId}` } } : { jobId, status: 'running' }),
    };
    const persistence = new RecordedPersistence(new Persistence(new MemoryStore()));
    const system = new ActorSystem({ persistence });
    systems.push(system);
    const { Cook } = createCookActors({ submitter: slow, pollIntervalMs: 50 });
    const cook = system.ref(Cook, KEY);
    await createCollection(persistence, { id: 'autumn', ownerId: 'ann', supply: 8 });
    await cook.ask('start', { requester: 'ann', maxConcurrent: 2 });
    while ((await cook.ask('status', {})).running < 2) await new Promise<void>((resolve) => setImmediate(resolve));
    await cook.ask('stop', { requester: 'ann' });
    expect(persistence.cookCommits.at(-1)).toMatchObject({ state: { status: 'stopped' }, tick: undefined });
    expect(await remindersOfCook(persistence)).toEqual(['tick']);

    finished = true;
    while ((await cook.ask('status', {})).running > 0) await new Promise<void>((resolve) => setTimeout(resolve, 10));
    expect(persistence.cookCommits.at(-1)).toMatchObject({ state: { status: 'stopped', generatedCount: 2, running: {} }, tick: 'delete' });
    expect(await remindersOfCook(persistence)).toEqual([]);
  });
});
