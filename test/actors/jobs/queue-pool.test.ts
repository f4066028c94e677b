import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem } from '../../../src/index.js';
import { MemoryStore, Persistence } from '../../../src/persistence/index.js';
import { defineTask, PiscinaPool } from '../../../src/pools/index.js';
import { shutdown } from '../../fixtures/shutdown.js';
import { defineQueue, type QueueEvents } from '../../../src/actors/jobs/index.js';

const busy = defineTask({
  name: 'busy',
  module: new URL('../../../dist/test/actors/jobs/fixtures/busy.js', import.meta.url),
  input: z.object({ ms: z.number(), n: z.number() }),
  result: z.object({ n: z.number() }),
  progress: z.number(),
});

let system: ActorSystem | undefined;
afterEach(async () => {
  if (system) await shutdown(system);
  system = undefined;
});

describe('a queue whose handler is a pool task', () => {
  it('does not declare a CPU-bound job stalled while its thread runs it for 10× leaseMs; it completes on its first attempt', async () => {
    const queue = defineQueue({ name: 'cpu', payload: busy.input, leaseMs: 50, timeoutMs: 30_000, handler: { pool: 'cpu', task: busy } });
    system = new ActorSystem({ persistence: new Persistence(new MemoryStore()), pools: { cpu: new PiscinaPool({ name: 'cpu', maxThreads: 1 }) } });
    const seen: (keyof QueueEvents)[] = [];
    const done = new Promise<void>((resolve) => queue.events.on('completed', () => resolve()));
    queue.events.on('*', (type) => seen.push(type));
    const job = await queue.ref(system).ask('enqueue', { payload: { ms: 500, n: 7 } });
    await done;
    expect(await queue.ref(system).ask('get', { jobId: job.id })).toMatchObject({ status: 'completed', attemptCount: 1, result: { n: 7 }, progressPct: 100 });
    expect(seen).toEqual(['queued', 'started', 'progress', 'completed']);
  });

  it('bounds a pool job by timeoutMs: the thread is stopped and the attempt fails with the pool timeout code', async () => {
    const queue = defineQueue({ name: 'cpu', payload: busy.input, timeoutMs: 100, retry: { attempts: 1 }, handler: { pool: 'cpu', task: busy } });
    system = new ActorSystem({ persistence: new Persistence(new MemoryStore()), pools: { cpu: new PiscinaPool({ name: 'cpu', maxThreads: 1 }) } });
    const failed = new Promise<QueueEvents['failed']>((resolve) => queue.events.on('failed', resolve));
    await queue.ref(system).ask('enqueue', { payload: { ms: 5_000, n: 1 } });
    expect(await failed).toMatchObject({ final: true, error: { code: 'ERR_TASK_TIMEOUT' } });
  });
});
