import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, VirtualClock } from '../../../src/index.js';
import { MemoryStore, Persistence } from '../../../src/persistence/index.js';
import { shutdown } from '../../fixtures/shutdown.js';
import { defineQueue, RECOVERED_FROM_RESTART, type JobFunction, type QueueEvents, type QueueOptions } from '../../../src/actors/jobs/index.js';

const Payload = z.object({ n: z.number().int() });

let systems: ActorSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.map((system) => shutdown(system)));
  systems = [];
});

const settle = async (rounds = 30) => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
};

function boot(store: MemoryStore, clock: VirtualClock, options: Partial<QueueOptions<typeof Payload, unknown>> = {}) {
  const queue = defineQueue({ name: 'pull', payload: Payload, leaseMs: 1_000, ...options });
  const system = new ActorSystem({ clock, persistence: new Persistence(store, { closeStore: false }) });
  systems.push(system);
  const seen: { type: keyof QueueEvents; event: unknown }[] = [];
  queue.events.on('*', (type, event) => seen.push({ type, event }));
  return { system, queue, ref: queue.ref(system), seen };
}

describe('a pull queue claimed by external consumers', () => {
  it('leases a claim; heartbeats renew it; expiry requeues; the late completion is ERR_STALE_ATTEMPT; the new attempt completes once', async () => {
    const clock = new VirtualClock(1_000_000);
    const { ref, seen } = boot(new MemoryStore(), clock, { retry: { attempts: 2 } });
    const job = await ref.ask('enqueue', { payload: { n: 1 } });
    const first = await ref.ask('claim', { consumer: 'slow' });
    expect(first).toMatchObject({ job: { id: job.id, status: 'running', attemptCount: 1 }, leaseExpiresAt: 1_001_000 });
    expect(await ref.ask('claim', {})).toBeNull(); // nothing else is ready
    clock.advance(900);
    expect(await ref.ask('heartbeat', { jobId: job.id, attemptId: first!.attemptId })).toEqual({ leaseExpiresAt: 1_001_900 });
    clock.advance(900);
    await settle();
    expect(seen.some((e) => e.type === 'stalled')).toBe(false);
    clock.advance(200);
    await settle();
    expect(seen.find((e) => e.type === 'stalled')?.event).toMatchObject({ jobId: job.id, requeued: true });
    const second = await ref.ask('claim', { consumer: 'fast' });
    expect(second?.attemptId).not.toBe(first!.attemptId);
    await expect(ref.ask('complete', { jobId: job.id, attemptId: first!.attemptId, result: 'late' })).rejects.toMatchObject({ code: 'ERR_STALE_ATTEMPT' });
    await expect(ref.ask('heartbeat', { jobId: job.id, attemptId: first!.attemptId })).rejects.toMatchObject({ code: 'ERR_STALE_ATTEMPT' });
    expect(await ref.ask('complete', { jobId: job.id, attemptId: second!.attemptId, result: 'ok' })).toMatchObject({ status: 'completed', result: 'ok', attemptCount: 2 });
    await expect(ref.ask('complete', { jobId: job.id, attemptId: second!.attemptId, result: 'again' })).rejects.toMatchObject({ code: 'ERR_STALE_ATTEMPT' });
    expect(seen.filter((e) => e.type === 'completed')).toHaveLength(1);
  });

  it('fails the job when the lease expires on its last attempt', async () => {
    const clock = new VirtualClock(1_000_000);
    const { ref } = boot(new MemoryStore(), clock, { retry: { attempts: 1 } });
    const job = await ref.ask('enqueue', { payload: { n: 1 } });
    await ref.ask('claim', {});
    clock.advance(1_001);
    await settle();
    expect(await ref.ask('get', { jobId: job.id })).toMatchObject({ status: 'failed', error: { code: 'ERR_LEASE_EXPIRED' } });
  });

  it('refuses a claim on a queue that runs its own jobs', async () => {
    const { ref } = boot(new MemoryStore(), new VirtualClock(0), { handler: async () => null });
    await expect(ref.ask('claim', {})).rejects.toMatchObject({ code: 'ERR_INVALID_STATE' });
  });
});

describe('recovery when a queue activates', () => {
  it('requeues jobs left running while attempts remain, fails the rest with RECOVERED_FROM_RESTART, before dispatching anything', async () => {
    const store = new MemoryStore();
    const clock = new VirtualClock(1_000_000);
    const hang: JobFunction<{ n: number }, unknown> = () => new Promise(() => undefined);
    const before = boot(store, clock, { name: 'own', handler: hang, concurrency: 2, retry: { attempts: 1 } });
    await before.ref.ask('enqueueBulk', { jobs: [{ payload: { n: 1 } }, { payload: { n: 2 }, options: { priority: -1 } }] });
    await settle();
    await shutdown(before.system);
    systems = [];

    const started: number[] = [];
    const after = boot(store, clock, { name: 'own', concurrency: 2, retry: { attempts: 2 }, handler: async ({ n }) => void started.push(n) });
    // the stored maxAttempts (1) rules: both are failed, nothing is started
    await after.ref.ask('counts', {});
    await settle();
    expect(started).toEqual([]);
    expect(after.seen.filter((e) => e.type === 'recovered').map((e) => e.event)).toMatchObject([{ requeued: false }, { requeued: false }]);
    const jobs = await Promise.all((await after.ref.ask('enqueueBulk', { jobs: [{ payload: { n: 3 } }] })).map((job) => after.ref.ask('get', { jobId: job.id })));
    expect(jobs).toHaveLength(1);
    const failed = after.seen.filter((e) => e.type === 'failed').map((e) => (e.event as { error: { code: string } }).error.code);
    expect(failed).toEqual([RECOVERED_FROM_RESTART, RECOVERED_FROM_RESTART]);
  });

  it('requeues a running job that has attempts left, and runs it in the new incarnation', async () => {
    const store = new MemoryStore();
    const clock = new VirtualClock(1_000_000);
    const before = boot(store, clock, { name: 'own', handler: () => new Promise(() => undefined), retry: { attempts: 3 } });
    const job = await before.ref.ask('enqueue', { payload: { n: 7 } });
    await settle();
    await shutdown(before.system);
    systems = [];
    const ran: string[] = [];
    const after = boot(store, clock, { name: 'own', retry: { attempts: 3 }, handler: async (_payload, { attemptId }) => void ran.push(attemptId) });
    await after.ref.ask('counts', {});
    await settle();
    expect(ran).toHaveLength(1);
    expect(await after.ref.ask('get', { jobId: job.id })).toMatchObject({ status: 'completed', attemptCount: 2, attemptId: ran[0] });
    expect(after.seen.map((e) => e.type).slice(0, 2)).toEqual(['recovered', 'started']);
  });
});
