/**
 * The media pipeline against plain `fetch` + stream-to-file, same local media
 * host, same concurrency, same run: 1,000 jobs of 1 MB. The pipeline side does
 * its whole job (post page, download to .part and rename, file-type
 * validation, thumbnail); the baseline only streams the media URL to a file.
 * The host runs in a child process (a CDN does not share your event loop).
 * Rounds alternate the two sides so load drift on the shared machine hits
 * both alike; the figure is total megabytes over total time per side.
 *
 * Not yet measured: "every job durable" needs the job queue (issue 16), which
 * is not on main; these jobs run without a queue.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { spawnMediaHost } from '../demo/media-host/spawn.js';
import { createMediaPipeline } from '../src/actors/media/index.js';
import type { BenchGroup } from './harness.js';

const JOBS = 1000;
const SIZE = 1024 * 1024;
const CONCURRENCY = 16;
const ROUNDS = 4;

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
    try {
      const media = createMediaPipeline({ downloadsDir: join(root, 'pipeline') });
      // where the time goes: the same pipeline without its thumbnail request and write
      const noThumbnail = createMediaPipeline({ downloadsDir: join(root, 'noThumbnail'), steps: { thumbnail: async () => ({ path: null, reasons: [] }) } });
      const perRound = JOBS / ROUNDS;
      const postUrl = host.postUrl('ok', { size: SIZE });
      const mediaUrl = `${host.url}/media/ok.mp4?size=${SIZE}&v=hd`;
      const time = { pipeline: 0, baseline: 0, noThumbnail: 0 };
      let failed = 0;
      const sides = {
        async pipeline(round: number) {
          await pool(perRound, CONCURRENCY, async (i) => {
            const outcome = await media.run({ jobId: `job-${round}-${i}`, postUrl });
            if (outcome.status !== 'completed') failed++;
          });
        },
        async noThumbnail(round: number) {
          await pool(perRound, CONCURRENCY, async (i) => {
            const outcome = await noThumbnail.run({ jobId: `job-${round}-${i}`, postUrl });
            if (outcome.status !== 'completed') failed++;
          });
        },
        async baseline(round: number) {
          const dir = join(root, 'baseline');
          await mkdir(dir, { recursive: true });
          await pool(perRound, CONCURRENCY, async (i) => {
            const response = await fetch(mediaUrl);
            await streamPipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(join(dir, `job-${round}-${i}.mp4`)));
          });
        },
      };
      await sides.pipeline(-1); // warm up both paths
      await sides.baseline(-1);
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? (['pipeline', 'baseline', 'noThumbnail'] as const) : (['noThumbnail', 'baseline', 'pipeline'] as const);
        for (const side of order) {
          await rm(join(root, side), { recursive: true, force: true });
          spawnSync('sync');
          const started = performance.now();
          await sides[side](round);
          time[side] += performance.now() - started;
        }
      }
      if (failed > 0) throw new Error(`${failed} pipeline jobs failed`);
      const mb = (JOBS * SIZE) / (1024 * 1024);
      const pipelineRate = mb / (time.pipeline / 1000);
      const baselineRate = mb / (time.baseline / 1000);
      console.log(`  ${JOBS} jobs of 1 MB at concurrency ${CONCURRENCY}, no queue (not durable yet: the job queue is not on main)`);
      report({ name: 'media.mb_per_sec', value: pipelineRate, unit: 'MB/s' });
      report({ name: 'media.baseline_mb_per_sec', value: baselineRate, unit: 'MB/s' });
      report({ name: 'media.vs_baseline', value: pipelineRate / baselineRate, unit: 'x', target: '>= 0.8' });
      report({ name: 'media.no_thumbnail_vs_baseline', value: mb / (time.noThumbnail / 1000) / baselineRate, unit: 'x' });
    } finally {
      await host.close();
      await rm(root, { recursive: true, force: true });
    }
  },
};
export default group;
