import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, ownedKey, VirtualClock } from '../../../src/index.js';
import { MemoryStore, Persistence } from '../../../src/persistence/index.js';
import { shutdown } from '../../fixtures/shutdown.js';
import { defineQueue, JOBS, type Job, type JobFunction, type QueueEvents, type QueueOptions } from '../../../src/actors/jobs/index.js';

const Payload = z.object({ n: z.number().int() });
type P = z.output<typeof Payload>;

let systems: ActorSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.map((system) => shutdown(system)));
  systems = [];
});

/** Jobs the test settles by hand: each call waits until the test resolves or rejects it. */
function manualHandler() {
  const calls: { payload: P; attemptId: string; signal: AbortSignal; resolve: (v: unknown) => void; reject: (e: unknown) => void; progress: (pct: number) => void }[] = [];
  const handler: JobFunction<P, unknown> = (payload, job) =>
    new Promise((resolve, reject) => calls.push({ payload, attemptId: job.attemptId, signal: job.signal, resolve, reject, progress: job.progress }));
  return { calls, handler };
}

function setup(options: Partial<QueueOptions<typeof Payload, unknown>> = {}, store = new MemoryStore()) {
  const clock = new VirtualClock(1_000_000);
  const queue = defineQueue({ name: 'work', payload: Payload, ...options });
  const system = new ActorSystem({ clock, persistence: new Persistence(store, { closeStore: false }), reminders: { actors: [queue.actor] } });
  systems.push(system);
  const seen: { type: keyof QueueEvents; event: unknown }[] = [];
  queue.events.on('*', (type, event) => seen.push({ type, event }));
  return { clock, system, store, queue, ref: queue.ref(system), seen };
}

const settle = async (rounds = 20) => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('a queue with an in-process handler', () => {
  it('refuses a payload that fails its schema with ERR_INVALID_MESSAGE and stores nothing', async () => {
    const { ref, store } = setup();
    await expect(ref.ask('enqueue', { payload: { n: 'x' } as never })).rejects.toMatchObject({ code: 'ERR_INVALID_MESSAGE' });
    expect(await store.query(JOBS)).toEqual([]);
  });

  it('claims up to its concurrency, each claim committed as running before the handler starts', async () => {
    const { calls, handler } = manualHandler();
    const { ref, store } = setup({ concurrency: 2, handler });
    const jobs = await ref.ask('enqueueBulk', { jobs: [0, 1, 2].map((n) => ({ payload: { n } })) });
    await settle();
    expect(calls.map((call) => call.payload.n)).toEqual([0, 1]);
    for (const call of calls) {
      const job = calls.indexOf(call) === 0 ? jobs[0] : jobs[1];
      const stored = (await store.get<Job>(JOBS, ownedKey('work', job!.id)))?.value;
      expect(stored).toMatchObject({ status: 'running', attemptCount: 1, attemptId: call.attemptId });
    }
    calls[0]!.resolve({ ok: 1 });
    await settle();
    expect(calls.map((call) => call.payload.n)).toEqual([0, 1, 2]);
    expect(await ref.ask('get', { jobId: jobs[0]!.id })).toMatchObject({ status: 'completed', result: { ok: 1 }, progressPct: 100 });
  });

  it('returns the existing job for a second enqueue with the same idempotency key, also when both are in flight at once', async () => {
    const { ref, store } = setup();
    const [a, b] = await Promise.all([
      ref.ask('enqueue', { payload: { n: 1 }, options: { idempotencyKey: 'k-1' } }),
      ref.ask('enqueue', { payload: { n: 2 }, options: { idempotencyKey: 'k-1' } }),
    ]);
    expect(b.id).toBe(a.id);
    expect(await store.query(JOBS)).toHaveLength(1);
  });

  it('runs higher priorities first, equal ones in enqueue order', async () => {
    const { calls, handler } = manualHandler();
    const { ref } = setup({ handler });
    await ref.ask('pause', {});
    await ref.ask('enqueueBulk', { jobs: [{ payload: { n: 1 } }, { payload: { n: 2 }, options: { priority: 5 } }, { payload: { n: 3 } }] });
    await ref.ask('resume', {});
    for (let i = 0; i < 3; i++) {
      await settle();
      calls[i]?.resolve(null);
    }
    expect(calls.map((call) => call.payload.n)).toEqual([2, 1, 3]);
  });

  it('wakes delayed jobs through a reminder, not before their time', async () => {
    const { calls, handler } = manualHandler();
    const { ref, clock } = setup({ handler });
    await ref.ask('enqueue', { payload: { n: 1 }, options: { delayMs: 5_000 } });
    await settle();
    clock.advance(4_000);
    await settle();
    expect(calls).toHaveLength(0);
    clock.advance(1_500);
    await settle(60);
    expect(calls).toHaveLength(1);
  });

  it('retries a failed attempt after its backoff, and fails for good on a no-retry code', async () => {
    const { calls, handler } = manualHandler();
    const { ref, clock, seen } = setup({ handler, retry: { attempts: 3, backoff: { delayMs: 100, jitter: 0 }, noRetryCodes: ['ERR_FATAL'] } });
    const job = await ref.ask('enqueue', { payload: { n: 1 } });
    await settle();
    calls[0]!.reject(Object.assign(new Error('flaky'), { code: 'ERR_FLAKY' }));
    await settle();
    expect(await ref.ask('get', { jobId: job.id })).toMatchObject({ status: 'queued', attemptCount: 1, error: { code: 'ERR_FLAKY' } });
    clock.advance(150);
    await settle(60);
    expect(calls).toHaveLength(2);
    calls[1]!.reject(Object.assign(new Error('broken'), { code: 'ERR_FATAL' }));
    await settle();
    expect(await ref.ask('get', { jobId: job.id })).toMatchObject({ status: 'failed', attemptCount: 2, error: { code: 'ERR_FATAL', message: 'broken' } });
    expect(seen.filter((e) => e.type === 'failed').map((e) => (e.event as { final: boolean }).final)).toEqual([false, true]);
  });

  it('refuses a completion from a superseded attempt with ERR_STALE_ATTEMPT and changes nothing', async () => {
    const { calls, handler } = manualHandler();
    const { ref } = setup({ handler });
    const job = await ref.ask('enqueue', { payload: { n: 1 } });
    await settle();
    await expect(ref.ask('complete', { jobId: job.id, attemptId: 'attempt-forged', result: 1 })).rejects.toMatchObject({ code: 'ERR_STALE_ATTEMPT' });
    expect(await ref.ask('get', { jobId: job.id })).toMatchObject({ status: 'running', attemptId: calls[0]!.attemptId });
  });

  it('cancels a running job through its signal; the handler settling later changes nothing', async () => {
    const { calls, handler } = manualHandler();
    const { ref, seen } = setup({ handler });
    const job = await ref.ask('enqueue', { payload: { n: 1 } });
    await settle();
    await ref.ask('cancel', { jobId: job.id });
    expect(calls[0]!.signal.aborted).toBe(true);
    calls[0]!.resolve('late');
    await settle();
    expect(await ref.ask('get', { jobId: job.id })).toMatchObject({ status: 'cancelled', result: null });
    expect(seen.map((e) => e.type)).toEqual(['queued', 'started', 'cancelled']);
  });

  it('aborts an in-process attempt past timeoutMs and retries it', async () => {
    const { calls, handler } = manualHandler();
    const { ref, clock } = setup({ handler, timeoutMs: 1_000, retry: { attempts: 2, backoff: { delayMs: 0 } } });
    const job = await ref.ask('enqueue', { payload: { n: 1 } });
    await settle();
    clock.advance(1_001);
    await settle(60);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(calls).toHaveLength(2);
    expect(await ref.ask('get', { jobId: job.id })).toMatchObject({ status: 'running', attemptCount: 2, error: { code: 'ERR_JOB_TIMEOUT' } });
  });

  it('starts at most rateLimit.max jobs per interval', async () => {
    const { calls, handler } = manualHandler();
    const { ref, clock } = setup({ handler, concurrency: 10, rateLimit: { max: 2, intervalMs: 1_000 } });
    await ref.ask('enqueueBulk', { jobs: [1, 2, 3, 4, 5].map((n) => ({ payload: { n } })) });
    await settle();
    expect(calls).toHaveLength(2);
    clock.advance(1_000);
    await settle();
    expect(calls).toHaveLength(4);
  });

  it('keeps at most retention.completed.count finished jobs', async () => {
    const { ref, store } = setup({ handler: async ({ n }) => n, concurrency: 4, retention: { completed: { count: 2 } } });
    await ref.ask('enqueueBulk', { jobs: [1, 2, 3, 4, 5].map((n) => ({ payload: { n } })) });
    await settle(60);
    const left = (await store.query<Job>(JOBS)).map((record) => record.value);
    expect(left.map((job) => job.status)).toEqual(['completed', 'completed']);
  });

  it('reports progress on the job and as an event', async () => {
    const { calls, handler } = manualHandler();
    const { ref, seen } = setup({ handler });
    const job = await ref.ask('enqueue', { payload: { n: 1 } });
    await settle();
    calls[0]!.progress(40);
    await settle();
    expect(await ref.ask('get', { jobId: job.id })).toMatchObject({ progressPct: 40 });
    expect(seen.find((e) => e.type === 'progress')?.event).toMatchObject({ pct: 40 });
  });

  it('costs one commit per job in a steady stream at concurrency 1: each completion rides the next claim\'s commit', async () => {
    const { ref, store, queue } = setup({ handler: async () => null, concurrency: 1 });
    await ref.ask('pause', {});
    const jobs = await ref.ask('enqueueBulk', { jobs: Array.from({ length: 20 }, (_, n) => ({ payload: { n } })) });
    const completed: string[] = [];
    const all = new Promise<void>((resolve) => queue.events.on('completed', ({ jobId }) => completed.push(jobId) === jobs.length && resolve()));
    const before = store.commitCount;
    await ref.ask('resume', {});
    await all;
    // resume (with the first claim), then each completion with the next claim, then the last completion alone
    expect(store.commitCount - before).toBe(jobs.length + 1);
    expect(completed).toEqual(jobs.map((job) => job.id));
    for (const job of jobs) expect((await store.get<Job>(JOBS, ownedKey('work', job.id)))?.value).toMatchObject({ status: 'completed', attemptCount: 1 });
  });

  it('commits a burst of its own handlers\' outcomes in one commit, and starts the freed slots\' jobs only after it', async () => {
    const { calls, handler } = manualHandler();
    const { ref, store } = setup({ handler, concurrency: 4 });
    const jobs = await ref.ask('enqueueBulk', { jobs: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ payload: { n } })) });
    await settle();
    expect(calls).toHaveLength(4);
    const before = store.commitCount;
    for (const call of calls.slice(0, 4)) call.resolve('done');
    await settle();
    expect(store.commitCount - before).toBe(1);
    expect(calls).toHaveLength(8);
    for (const job of jobs.slice(0, 4)) expect((await store.get<Job>(JOBS, ownedKey('work', job.id)))?.value.status).toBe('completed');
    for (const job of jobs.slice(4)) expect((await store.get<Job>(JOBS, ownedKey('work', job.id)))?.value.status).toBe('running');
  });
});
