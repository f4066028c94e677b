/**
 * The media pipeline against plain `fetch` + stream-to-file, same local media
 * host, same concurrency, same run: 1,000 jobs of 1 MB per side. The pipeline
 * side does its whole job (post page, download to .part and rename,
 * file-type validation, thumbnail) through `mediaQueueHandler`, and every
 * job is durable: its `running` record and then its outcome are committed
 * through the persistence actor to a LowdbStore (journal append + fdatasync,
 * group commit) before the job counts, as a queue does around its handler:
 * the claim is durable before the job runs; the outcome commits while the
 * worker slot takes its next job, and a round ends only once every outcome
 * is durable.
 * The baseline only streams the media URL to a file.
 *
 * The host runs in a child process (a CDN does not share your event loop).
 * The machine is shared, so the sides run in short rounds that alternate
 * order, each starting from a quiet disk (`sync` first, so no side pays for
 * the previous side's writeback and deletions), and `media.vs_baseline` is
 * the median of the per-round ratios, each taken between neighbours in time.
 * `media.cpu_vs_baseline` compares the CPU this process spent per side.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { spawnMediaHost } from '../demo/media-host/spawn.js';
import { createMediaPipeline, mediaQueueHandler, type MediaQueueHandler } from '../src/actors/media/index.js';
import { LowdbStore, Persistence } from '../src/persistence/index.js';
import type { BenchGroup } from './harness.js';
import { percentile } from './harness.js';

const ROUNDS = 20;
const JOBS_PER_ROUND = 50;
const SIZE = 1024 * 1024;
const CONCURRENCY = 16;

async function pool(count: number, concurrency: number, run: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await run(next++);
    }),
  );
}

const group: BenchGroup = {
  name: 'media',
  async run(report) {
    const host = await spawnMediaHost();
    const root = await mkdtemp(join(tmpdir(), 'steward-media-bench-'));
    const persistence = new Persistence(await LowdbStore.open({ dir: join(root, 'store') }));
    try {
      const postUrl = host.postUrl('ok', { size: SIZE });
      const mediaUrl = `${host.url}/media/ok.mp4?size=${SIZE}&v=hd`;
      const handlers: Record<'durable' | 'notDurable', MediaQueueHandler> = {
        durable: mediaQueueHandler(createMediaPipeline({ downloadsDir: join(root, 'durable') })),
        notDurable: mediaQueueHandler(createMediaPipeline({ downloadsDir: join(root, 'notDurable') })),
      };
      // one signal per attempt, as a queue gives
      const context = (attemptId: string) => ({ signal: new AbortController().signal, progress: () => {}, heartbeat: () => {}, attemptId });
      let failed = 0;
      const sides = {
        async durable(round: number) {
          const completions: Promise<unknown>[] = [];
          await pool(JOBS_PER_ROUND, CONCURRENCY, async (i) => {
            const jobId = `job-${round}-${i}`;
            const record = (status: string, expectedRevision: number, extra: object = {}) =>
              persistence.commit([{ op: 'put', collection: 'media-jobs', key: jobId, value: { status, ...extra }, expectedRevision }]);
            await record('running', 0); // the claim is durable before the job runs
            const outcome = await handlers.durable({ jobId, postUrl }, context(`${jobId}/1`)).then(
              (result) => ({ status: 'completed', outputPath: result.outputPath, thumbnailPath: result.thumbnailPath }),
              (error: unknown) => ({ status: 'failed', error: String(error) }),
            );
            if (outcome.status !== 'completed') failed++;
            // the slot takes its next job while the outcome commits (a crash before it re-runs the job); the round waits for all
            completions.push(record(outcome.status, 1, outcome));
          });
          await Promise.all(completions);
        },
        async notDurable(round: number) {
          await pool(JOBS_PER_ROUND, CONCURRENCY, async (i) => {
            const jobId = `job-${round}-${i}`;
            await handlers.notDurable({ jobId, postUrl }, context(`${jobId}/1`)).catch(() => failed++);
          });
        },
        async baseline(round: number) {
          const dir = join(root, 'baseline');
          await mkdir(dir, { recursive: true });
          await pool(JOBS_PER_ROUND, CONCURRENCY, async (i) => {
            const response = await fetch(mediaUrl);
            await streamPipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(join(dir, `job-${round}-${i}.mp4`)));
          });
        },
      };
      type Side = keyof typeof sides;
      const orders: readonly (readonly Side[])[] = [
        ['durable', 'baseline', 'notDurable'],
        ['notDurable', 'baseline', 'durable'],
        ['baseline', 'durable', 'notDurable'],
        ['baseline', 'notDurable', 'durable'],
      ];
      const cpu = { durable: 0, notDurable: 0, baseline: 0 };
      const timed = async (side: Side, round: number) => {
        spawnSync('sync');
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        await sides[side](round);
        const used = process.cpuUsage(cpuBefore);
        if (round >= 0) cpu[side] += used.user + used.system;
        return performance.now() - started;
      };
      for (const side of ['durable', 'notDurable', 'baseline'] as const) await timed(side, -1); // warm up every path
      const loadBefore = loadavg()[0]!;
      const total = { durable: 0, notDurable: 0, baseline: 0 };
      const ratios = { durable: [] as number[], notDurable: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        const time = { durable: 0, notDurable: 0, baseline: 0 };
        for (const side of orders[round % orders.length]!) time[side] = await timed(side, round);
        // a round's files go before the next round, outside the timing
        await Promise.all(['durable', 'notDurable', 'baseline'].map((side) => rm(join(root, side), { recursive: true, force: true })));
        for (const side of ['durable', 'notDurable', 'baseline'] as const) total[side] += time[side];
        ratios.durable.push(time.baseline / time.durable);
        ratios.notDurable.push(time.baseline / time.notDurable);
      }
      if (failed > 0) throw new Error(`${failed} pipeline jobs failed`);
      const jobs = ROUNDS * JOBS_PER_ROUND;
      const mb = (jobs * SIZE) / (1024 * 1024);
      const { requests, storeCommits } = persistence.stats;
      console.log(`  ${jobs} jobs of 1 MB per side at concurrency ${CONCURRENCY}, ${ROUNDS} rounds; durable side: ${requests} job records in ${storeCommits} fsynced commits`);
      console.log(`  machine load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after (wall-clock ratios drift with it; the CPU ratio much less)`);
      console.log(`  per-round durable/baseline ratios: min ${percentile(ratios.durable, 0).toFixed(2)}, median ${percentile(ratios.durable, 50).toFixed(2)}, max ${percentile(ratios.durable, 100).toFixed(2)}`);
      report({ name: 'media.mb_per_sec', value: mb / (total.durable / 1000), unit: 'MB/s' });
      report({ name: 'media.baseline_mb_per_sec', value: mb / (total.baseline / 1000), unit: 'MB/s' });
      report({ name: 'media.vs_baseline', value: percentile(ratios.durable, 50), unit: 'x', target: '>= 0.8' });
      report({ name: 'media.vs_baseline_totals', value: total.baseline / total.durable, unit: 'x' });
      // this process's CPU (main thread, libuv and V8 threads) per side: the cost of a job, less sensitive than time to the neighbours' load
      report({ name: 'media.cpu_vs_baseline', value: cpu.baseline / cpu.durable, unit: 'x' });
      report({ name: 'media.not_durable_vs_baseline', value: percentile(ratios.notDurable, 50), unit: 'x' });
    } finally {
      await persistence.close();
      await host.close();
      await rm(root, { recursive: true, force: true });
    }
  },
};
export default group;
