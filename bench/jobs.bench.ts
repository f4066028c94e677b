/**
 * Job queues side by side with BullMQ, in one run: steward's durable queue
 * on lowdb (every commit fsynced) against BullMQ on a redis-server this
 * bench starts on a free loopback port, once with `appendfsync always`
 * (durability parity) and once with the default `everysec`. No-op jobs:
 * processing throughput at concurrency 1, 8 and 32 (a backlog drained),
 * enqueue one by one and in bulk, and enqueue → completed latency.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue as BullQueue, QueueEvents as BullQueueEvents, Worker as BullWorker } from 'bullmq';
import { z } from 'zod';
import type { BenchGroup } from './harness.js';
import { percentile } from './harness.js';
import { ActorSystem } from '../src/index.js';
import { LowdbStore, Persistence } from '../src/persistence/index.js';
import { defineQueue } from '../src/actors/jobs/index.js';

const REDIS = '/usr/bin/redis-server';
const BACKLOG = { 1: 400, 8: 1_500, 32: 3_000 } as const;
const ENQUEUES = 500;
const BULK = 5_000;
const LATENCY_SAMPLES = 300;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether a redis-server answers PING on `port`. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

async function startRedis(fsync: 'always' | 'everysec'): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-bench-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', fsync], { stdio: 'ignore' });
  for (let i = 0; !(await pong(port)); i++) {
    if (i > 200) throw new Error(`redis-server on port ${port} did not answer PING`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    port,
    stop: async () => {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What each side is measured on. */
interface Side {
  /** Drains a backlog of `jobs` no-op jobs at `concurrency`: jobs per second. */
  drain(concurrency: number, jobs: number): Promise<number>;
  /** Enqueues one at a time, each awaited: jobs per second. */
  enqueueOneByOne(jobs: number): Promise<number>;
  /** Enqueues `jobs` in one bulk call: jobs per second. */
  enqueueBulk(jobs: number): Promise<number>;
  /** Enqueue → completed, one job at a time with a worker at concurrency 1: samples in ms. */
  latency(samples: number): Promise<number[]>;
  close(): Promise<void>;
}

let round = 0;

async function bullSide(port: number): Promise<Side> {
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const opts = { removeOnComplete: { count: 1_000 }, removeOnFail: { count: 1_000 } };
  const made: { close(): Promise<unknown> }[] = [];
  const fresh = () => {
    const queue = new BullQueue(`bench-${++round}`, { connection, defaultJobOptions: opts });
    made.push(queue);
    return queue;
  };
  return {
    async drain(concurrency, jobs) {
      const queue = fresh();
      await queue.addBulk(Array.from({ length: jobs }, (_, n) => ({ name: 'noop', data: { n } })));
      let done = 0;
      const start = performance.now();
      const finished = new Promise<void>((resolve) => {
        const worker = new BullWorker(queue.name, async () => null, { connection, concurrency });
        made.push(worker);
        worker.on('completed', () => {
          if (++done === jobs) resolve();
        });
      });
      await finished;
      return jobs / ((performance.now() - start) / 1000);
    },
    async enqueueOneByOne(jobs) {
      const queue = fresh();
      const start = performance.now();
      for (let n = 0; n < jobs; n++) await queue.add('noop', { n });
      return jobs / ((performance.now() - start) / 1000);
    },
    async enqueueBulk(jobs) {
      const queue = fresh();
      const start = performance.now();
      await queue.addBulk(Array.from({ length: jobs }, (_, n) => ({ name: 'noop', data: { n } })));
      return jobs / ((performance.now() - start) / 1000);
    },
    async latency(samples) {
      const queue = fresh();
      const events = new BullQueueEvents(queue.name, { connection });
      made.push(events);
      await events.waitUntilReady();
      const worker = new BullWorker(queue.name, async () => null, { connection, concurrency: 1 });
      made.push(worker);
      await worker.waitUntilReady();
      const out: number[] = [];
      for (let i = 0; i < samples; i++) {
        const start = performance.now();
        const job = await queue.add('noop', { i });
        await job.waitUntilFinished(events);
        out.push(performance.now() - start);
      }
      return out;
    },
    async close() {
      for (const thing of made.reverse()) await thing.close();
    },
  };
}

/** Steward's side also counts its store commits (each one fsync): commits per job say where the time goes, however loaded the machine. */
async function stewardSide(): Promise<Side & { commits(): number }> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-bench-jobs-'));
  const store = await LowdbStore.open({ dir });
  const persistence = new Persistence(store);
  const system = new ActorSystem({ persistence });
  const Payload = z.object({ n: z.number().int() });
  const queueOf = (concurrency: number) => {
    const queue = defineQueue({ name: `bench-${++round}`, payload: Payload, concurrency, handler: async () => null });
    return { queue, ref: queue.ref(system) };
  };
  const entries = (jobs: number) => Array.from({ length: jobs }, (_, n) => ({ payload: { n } }));
  return {
    commits: () => persistence.stats.storeCommits,
    async drain(concurrency, jobs) {
      const { queue, ref } = queueOf(concurrency);
      await ref.ask('pause', {});
      await ref.ask('enqueueBulk', { jobs: entries(jobs) });
      let done = 0;
      const finished = new Promise<void>((resolve) => queue.events.on('completed', () => ++done === jobs && resolve()));
      const start = performance.now();
      await ref.ask('resume', {});
      await finished;
      return jobs / ((performance.now() - start) / 1000);
    },
    async enqueueOneByOne(jobs) {
      const { ref } = queueOf(1);
      await ref.ask('pause', {});
      const start = performance.now();
      for (let n = 0; n < jobs; n++) await ref.ask('enqueue', { payload: { n } });
      return jobs / ((performance.now() - start) / 1000);
    },
    async enqueueBulk(jobs) {
      const { ref } = queueOf(1);
      await ref.ask('pause', {});
      const start = performance.now();
      await ref.ask('enqueueBulk', { jobs: entries(jobs) });
      return jobs / ((performance.now() - start) / 1000);
    },
    async latency(samples) {
      const { queue, ref } = queueOf(1);
      await ref.ask('counts', {});
      const out: number[] = [];
      for (let i = 0; i < samples; i++) {
        const start = performance.now();
        const done = new Promise<void>((resolve) => {
          const on = () => {
            queue.events.off('completed', on);
            resolve();
          };
          queue.events.on('completed', on);
        });
        await ref.ask('enqueue', { payload: { n: i } });
        await done;
        out.push(performance.now() - start);
      }
      return out;
    },
    async close() {
      await system.shutdown();
      await store.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const group: BenchGroup = {
  name: 'jobs',
  async run(report) {
    const always = await startRedis('always');
    const everysec = await startRedis('everysec');
    const steward = await stewardSide();
    const bullAlways = await bullSide(always.port);
    const bullEverysec = await bullSide(everysec.port);
    try {
      for (const concurrency of [1, 8, 32] as const) {
        const jobs = BACKLOG[concurrency];
        const commits = steward.commits();
        const ours = await steward.drain(concurrency, jobs);
        report({ name: `jobs.c${concurrency}_commits_per_job`, value: (steward.commits() - commits) / jobs, unit: 'store commits (fsyncs) per job drained (its bulk enqueue included)' });
        const theirs = await bullAlways.drain(concurrency, jobs);
        const theirsEverysec = await bullEverysec.drain(concurrency, jobs);
        console.log(`  c${concurrency}: steward ${ours.toFixed(0)} jobs/s, BullMQ AOF-always ${theirs.toFixed(0)}, AOF-everysec ${theirsEverysec.toFixed(0)}`);
        report({ name: `jobs.c${concurrency}_vs_bullmq`, value: ours / theirs, unit: 'x (steward / BullMQ AOF always)', target: '>= 1.0' });
        report({ name: `jobs.c${concurrency}_vs_bullmq_everysec`, value: ours / theirsEverysec, unit: 'x (steward / BullMQ AOF everysec)' });
      }
      const oneByOne = { ours: await steward.enqueueOneByOne(ENQUEUES), theirs: await bullAlways.enqueueOneByOne(ENQUEUES) };
      console.log(`  enqueue one by one: steward ${oneByOne.ours.toFixed(0)}/s, BullMQ AOF-always ${oneByOne.theirs.toFixed(0)}/s`);
      report({ name: 'jobs.enqueue_vs_bullmq', value: oneByOne.ours / oneByOne.theirs, unit: 'x (steward / BullMQ AOF always)' });
      const bulk = { ours: await steward.enqueueBulk(BULK), theirs: await bullAlways.enqueueBulk(BULK) };
      console.log(`  enqueue bulk of ${BULK}: steward ${bulk.ours.toFixed(0)}/s, BullMQ AOF-always ${bulk.theirs.toFixed(0)}/s`);
      report({ name: 'jobs.bulk_vs_bullmq', value: bulk.ours / bulk.theirs, unit: 'x (steward / BullMQ AOF always)', target: '>= 1.0' });
      const commits = steward.commits();
      const ours = await steward.latency(LATENCY_SAMPLES);
      report({ name: 'jobs.latency_commits_per_job', value: (steward.commits() - commits) / LATENCY_SAMPLES, unit: 'store commits (fsyncs) per job: the enqueue with its claim, then the completion' });
      const theirs = await bullAlways.latency(LATENCY_SAMPLES);
      console.log(`  enqueue → completed: steward p50 ${percentile(ours, 50).toFixed(2)} ms p99 ${percentile(ours, 99).toFixed(2)} ms; BullMQ AOF-always p50 ${percentile(theirs, 50).toFixed(2)} ms p99 ${percentile(theirs, 99).toFixed(2)} ms`);
      report({ name: 'jobs.p50_ms', value: percentile(ours, 50), unit: 'ms', target: '<= 1' });
      report({ name: 'jobs.p99_ms', value: percentile(ours, 99), unit: 'ms' });
      report({ name: 'jobs.bullmq_p50_ms', value: percentile(theirs, 50), unit: 'ms' });
    } finally {
      await bullAlways.close();
      await bullEverysec.close();
      await steward.close();
      await always.stop();
      await everysec.stop();
    }
  },
};

export default group;
