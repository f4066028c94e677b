/**
 * The jobs entry point owns the secondary indexes of its `jobs` records
 * that readers outside the queue actor (the operator's queues domain) page
 * through: declared on a store, they hold every job by queue, status and
 * enqueue time, and finished jobs by queue, status and finish time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem } from '../../../src/index.js';
import { LowdbStore, Persistence } from '../../../src/persistence/index.js';
import { shutdown } from '../../fixtures/shutdown.js';
import { defineJobIndexes, defineQueue, JOB_INDEXES, JOBS, JOBS_BY_FINISH, JOBS_BY_STATUS, type Job } from '../../../src/actors/jobs/index.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('the job indexes', () => {
  it("are named by the jobs package and live under the package's prefix", () => {
    expect(JOB_INDEXES.map((spec) => spec.name)).toEqual([JOBS_BY_STATUS.name, JOBS_BY_FINISH.name]);
    expect(JOB_INDEXES.every((spec) => spec.name.startsWith('steward.jobs.'))).toBe(true);
  });

  it('page a queue\'s jobs by status in enqueue order and its finished ones by finish time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-job-indexes-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const store = await LowdbStore.open({ dir });
    closers.push(() => store.close());
    const persistence = new Persistence(store, { closeStore: false });
    await defineJobIndexes(persistence);
    await defineJobIndexes(persistence);
    const queue = defineQueue({ name: 'idx', payload: z.object({ n: z.number() }), handler: async ({ n }) => (n % 2 === 0 ? n : Promise.reject(Object.assign(new Error('odd'), { code: 'ERR_ODD' }))), retry: { attempts: 1 } });
    const system = new ActorSystem({ persistence });
    closers.push(() => shutdown(system));
    const ref = queue.ref(system);
    await ref.ask('pause', {});
    const jobs = await ref.ask('enqueueBulk', { jobs: [0, 1, 2, 3, 4].map((n) => ({ payload: { n } })) });
    const queued = await persistence.queryIndex<Job>(JOBS, JOBS_BY_STATUS.name, { eq: ['idx', 'queued'] });
    // one bulk enqueue: the same queuedAt, so in key order
    expect(queued.records.map((record) => record.value.id)).toEqual(jobs.map((job) => job.id).sort());
    expect((await persistence.queryIndex<Job>(JOBS, JOBS_BY_FINISH.name, { eq: ['idx', 'failed'] })).records).toEqual([]);

    let finished = 0;
    const all = new Promise<void>((resolve) => {
      const done = () => ++finished === jobs.length && resolve();
      queue.events.on('completed', done);
      queue.events.on('failed', done);
    });
    await ref.ask('resume', {});
    await all;
    await ref.ask('counts', {});
    const byStatus = async (status: string) => (await persistence.queryIndex<Job>(JOBS, JOBS_BY_STATUS.name, { eq: ['idx', status] })).records.map((r) => (r.value.payload as { n: number }).n).sort();
    expect([await byStatus('queued'), await byStatus('running'), await byStatus('completed'), await byStatus('failed')]).toEqual([[], [], [0, 2, 4], [1, 3]]);
    const failed = await persistence.queryIndex<Job>(JOBS, JOBS_BY_FINISH.name, { eq: ['idx', 'failed'] });
    expect(failed.records.map((r) => r.value.error?.code)).toEqual(['ERR_ODD', 'ERR_ODD']);
    const times = failed.records.map((r) => r.value.finishedAt as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
