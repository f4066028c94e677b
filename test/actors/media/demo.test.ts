/**
 * The demo's media piece, as `npm start` calls it: every post ends as the
 * demo says it will, on real pool threads, against a real local host, with
 * only finished files left on disk.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MEDIA_DEMO_JOBS, runMediaDemo } from '../../../demo/media-demo.js';
import { PiscinaPool } from '../../../src/pools/index.js';
import { filesUnder } from './helpers.js';

let root: string;
let pool: PiscinaPool;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'steward-media-demo-'));
  pool = new PiscinaPool({ name: 'media-demo', maxThreads: 2 });
});
afterEach(async () => {
  await pool.close({ deadlineMs: 1000 });
  await rm(root, { recursive: true, force: true });
});

it('every demo post ends as the demo expects, on pool threads, leaving only finished files', async () => {
  const progress = new Map<string, number[]>();
  const lines = await runMediaDemo({ downloadsDir: root, pool, onProgress: (jobId, pct) => progress.set(jobId, [...(progress.get(jobId) ?? []), pct]) });
  expect(lines.map((line) => `${line.jobId} ${line.ended}`)).toEqual(MEDIA_DEMO_JOBS.map((job) => `${job.jobId} ${job.expect}`));
  expect(lines.every((line) => line.asExpected)).toBe(true);
  for (const line of lines.filter((l) => l.ended.startsWith('completed'))) expect(progress.get(line.jobId)?.at(-1)).toBe(100);
  const files = await filesUnder(root);
  expect(files.filter((f) => f.endsWith('.mp4'))).toHaveLength(MEDIA_DEMO_JOBS.length - 1);
  expect(files.filter((f) => f.endsWith('.part') || f.includes('media-7'))).toEqual([]);
});
