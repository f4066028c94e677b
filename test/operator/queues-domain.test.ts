/**
 * The queues domain over records the real queue actors wrote (defineQueue on
 * a real system, a memory store): counts by status, the oldest queued job,
 * stalled leases, the latest failures with their codes, the count cap; read
 * from the store, never through a queue actor, and never showing a payload.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, VirtualClock } from '../../src/index.js';
import { MemoryStore, Persistence } from '../../src/persistence/index.js';
import { defineQueue, JOBS, type Job, type JobFunction, type QueueEvents, type QueueOptions } from '../../src/actors/jobs/index.js';
import { queuesDomain, type DomainView, type RecordReader } from '../../src/operator/index.js';
import { shutdown } from '../fixtures/shutdown.js';

const Payload = z.object({ n: z.number().int(), outcome: z.enum(['ok', 'fail', 'hold']), note: z.string() });
type P = z.output<typeof Payload>;
const MARKER = 'PAYLOAD-MARKER-never-shown';

let systems: ActorSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.map((system) => shutdown(system)));
  systems = [];
});

/** Jobs end as their payload says: completed, failed with a code, or held running until the test lets go. */
function handler(): { run: JobFunction<P, unknown>; release: () => void } {
  const held: Array<() => void> = [];
  const run: JobFunction<P, unknown> = ({ outcome, n }) => {
    if (outcome === 'fail') return Promise.reject(Object.assign(new Error(`job ${n} failed: ${MARKER}`), { code: n % 2 === 0 ? 'ERR_HTTP_403' : 'ERR_NOT_VIDEO' }));
    if (outcome === 'hold') return new Promise((resolve) => held.push(() => resolve({ n })));
    return Promise.resolve({ n, note: MARKER });
  };
  return { run, release: () => held.splice(0).forEach((go) => go()) };
}

function world() {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const store = new MemoryStore();
  const persistence = new Persistence(store, { closeStore: false });
  const queues: Array<ReturnType<typeof defineQueue<typeof Payload>>> = [];
  const system = new ActorSystem({ clock, persistence });
  systems.push(system);
  const queue = (options: Partial<QueueOptions<typeof Payload, unknown>> & { name: string }) => {
    const made = defineQueue({ payload: Payload, retry: { attempts: 1 }, ...options });
    queues.push(made);
    return { ...made, ref: made.ref(system), until: (type: keyof QueueEvents, count: number) => eventCount(made.events, type, count) };
  };
  return { clock, store, persistence, system, queue };
}

function eventCount(events: ReturnType<typeof defineQueue>['events'], type: keyof QueueEvents, count: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const on = () => {
      if (++seen < count) return;
      events.off(type, on);
      resolve();
    };
    events.on(type, on);
  });
}

const payload = (n: number, outcome: P['outcome']): { payload: P } => ({ payload: { n, outcome, note: MARKER } });
const table = (view: DomainView, title: string) => view.tables.find((t) => t.title.startsWith(title));

describe('queues domain', () => {
  it('counts jobs by status per queue, with the oldest queued age and the latest failures (codes only), from the store', async () => {
    const { clock, persistence, queue } = world();
    const jobs = handler();
    const media = queue({ name: 'media', concurrency: 2, handler: jobs.run });
    const failed = media.until('failed', 3);
    const completed = media.until('completed', 2);
    await media.ref.ask('enqueueBulk', { jobs: [payload(0, 'ok'), payload(1, 'fail'), payload(2, 'ok'), payload(3, 'fail')] });
    await completed;
    clock.advance(5_000);
    await media.ref.ask('enqueue', payload(4, 'fail'));
    await failed;
    const held = media.until('started', 2);
    await media.ref.ask('enqueueBulk', { jobs: [payload(5, 'hold'), payload(6, 'hold')] });
    await held;
    clock.advance(2_000);
    await media.ref.ask('enqueue', payload(7, 'ok')); // waits: both slots are held
    const delayed = await media.ref.ask('enqueue', { ...payload(8, 'ok'), options: { delayMs: 60_000 } });
    await media.ref.ask('cancel', { jobId: delayed.id });
    const idle = queue({ name: 'idle', handler: jobs.run });
    await idle.ref.ask('pause', {});
    clock.advance(3_000);

    const view = await queuesDomain().read(persistence, { now: clock.now() });
    expect(view.counts).toEqual({ queues: 2, queued: 1, running: 2, completed: 2, failed: 3, cancelled: 1, stalled: 0, paused: 1 });
    expect(table(view, 'queues')?.rows).toEqual([
      ['idle', 'paused', '0', '0', '0', '0', '0', 0, null],
      ['media', 'active', '1', '2', '2', '3', '1', 0, '3s'],
    ]);
    const failures = table(view, 'latest failures')?.rows ?? [];
    expect(failures.map((row) => row.slice(2))).toEqual([
      ['1/1', 'ERR_HTTP_403', '5s ago'], // job 4, the latest
      ['1/1', 'ERR_NOT_VIDEO', '10s ago'],
      ['1/1', 'ERR_NOT_VIDEO', '10s ago'],
    ]);
    const stored = await persistence.query<Job>(JOBS);
    const latestFailed = stored.map((r) => r.value).find((job) => job.payload && (job.payload as P).n === 4);
    expect(failures[0]?.[1]).toBe(latestFailed?.id);
    expect(view.alerts).toEqual([]);
    expect(JSON.stringify(view)).not.toContain(MARKER); // no payload, result or error message
    jobs.release();
  });

  it('reports running jobs whose lease ran out while their queue was gone as stalled', async () => {
    const { clock, store, system, queue } = world();
    const pull = queue({ name: 'pull', leaseMs: 10_000 });
    await pull.ref.ask('enqueueBulk', { jobs: [payload(0, 'ok'), payload(1, 'ok')] });
    await pull.ref.ask('claim', { consumer: 'gpu-1' });
    await shutdown(system); // the process is gone; its job is still running in the store
    systems = [];
    const now = clock.now() + 60_000;
    const view = await queuesDomain().read(store, { now });
    expect(view.counts).toMatchObject({ queued: 1, running: 1, stalled: 1 });
    expect(view.alerts).toEqual(['queue pull: 1 running job(s) past their lease (stalled): is the queue\'s process alive?']);
  });

  it('caps each count at one page, shown as 1000+', async () => {
    const { clock, persistence, queue } = world();
    const backlog = queue({ name: 'backlog' });
    await backlog.ref.ask('pause', {});
    await backlog.ref.ask('enqueueBulk', { jobs: Array.from({ length: 1_005 }, (_, n) => payload(n, 'ok')) });
    const view = await queuesDomain().read(persistence, { now: clock.now() });
    expect(view.counts.queued).toBe(1_000);
    expect(table(view, 'queues')?.rows[0]?.slice(0, 3)).toEqual(['backlog', 'paused', '1000+']);
  });

  it('finds the latest failures among hundreds by bisecting finish times, and within one crowded millisecond', async () => {
    const { clock, persistence, queue } = world();
    const jobs = handler();
    const flaky = queue({ name: 'flaky', concurrency: 8, handler: jobs.run, retention: { failed: { count: 10_000 } } });
    for (let n = 0; n < 300; n++) {
      const failed = flaky.until('failed', 1);
      await flaky.ref.ask('enqueue', payload(n, 'fail'));
      await failed;
      clock.advance(n % 7 === 0 ? 1 : 1_000);
    }
    const domain = queuesDomain();
    const view = await domain.read(persistence, { now: clock.now() });
    const all = (await persistence.query<Job>(JOBS)).map((r) => r.value).filter((job) => job.status === 'failed');
    const expected = all.sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0) || (a.id < b.id ? 1 : -1)).slice(0, 10).map((job) => job.id);
    expect(table(view, 'latest failures')?.rows.map((row) => row[1])).toEqual(expected);

    // 250 failures in one millisecond, then 3 later: the 3, then 7 of that millisecond.
    const crowded = queue({ name: 'crowded', concurrency: 300, handler: jobs.run, retention: { failed: { count: 10_000 } } });
    const burst = crowded.until('failed', 250);
    await crowded.ref.ask('enqueueBulk', { jobs: Array.from({ length: 250 }, (_, n) => payload(1_000 + n, 'fail')) });
    await burst;
    const burstAt = clock.now();
    clock.advance(500);
    for (let n = 0; n < 3; n++) {
      const failed = crowded.until('failed', 1);
      await crowded.ref.ask('enqueue', payload(2_000 + n, 'fail'));
      await failed;
      clock.advance(10);
    }
    const again = await domain.read(persistence, { now: clock.now() });
    const rows = (table(again, 'latest failures')?.rows ?? []).filter((row) => row[0] === 'crowded');
    const byId = new Map((await persistence.query<Job>(JOBS)).map((r) => [r.value.id, r.value]));
    expect(rows.map((row) => byId.get(String(row[1]))?.finishedAt)).toEqual([burstAt + 520, burstAt + 510, burstAt + 500, ...Array<number>(7).fill(burstAt)]);
  });

  it('says so, and shows the queues, on a reader without secondary indexes', async () => {
    const { clock, persistence, queue } = world();
    await queue({ name: 'media' }).ref.ask('pause', {});
    const bare: RecordReader = { get: (c, k) => persistence.get(c, k), query: (c, o) => persistence.query(c, o) };
    const view = await queuesDomain().read(bare, { now: clock.now() });
    expect(view).toEqual({ counts: { queues: 1 }, tables: [], alerts: ['job counts need a reader with secondary indexes (defineIndex / queryIndex)'] });
  });
});
