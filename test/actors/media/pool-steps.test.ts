/**
 * The heavy steps on real pool threads: the same pipeline with
 * `poolSteps(pool)`, progress crossing the thread boundary, coded errors
 * rebuilt on this side, and a cancel that stops the thread mid-download
 * still leaving no `.part` file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PiscinaPool } from '../../../src/pools/index.js';
import { poolSteps, type MediaJobResult } from '../../../src/actors/media/index.js';
import { filesUnder, mediaFixture, type MediaFixture } from './helpers.js';

let fx: MediaFixture;
let pool: PiscinaPool;
beforeEach(async () => {
  fx = await mediaFixture();
  pool = new PiscinaPool({ name: 'media', maxThreads: 2 });
});
afterEach(async () => {
  await pool.close({ deadlineMs: 1000 });
  await fx.close();
});

describe('media steps on a PiscinaPool', () => {
  it('downloads, validates and thumbnails on threads, with progress from the thread', async () => {
    const progress: number[] = [];
    const outcome = await fx.pipeline({ steps: poolSteps(pool) }).run({ jobId: 'j', postUrl: fx.host.postUrl('ok', { size: 1_000_000 }) }, { progress: (p) => progress.push(p) });
    expect(outcome).toMatchObject({ status: 'completed', outputPath: 'loopback-alice/j.mp4', thumbnailPath: 'loopback-alice/thumbnails/j.jpg', mime: 'video/mp4' });
    expect(progress.filter((p) => p > 50 && p < 100).length).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(100);
  });

  it('keeps the branches: 403 → untried candidate, 5xx retried, invalid → strategies, coded failures', async () => {
    const pipeline = fx.pipeline({ steps: poolSteps(pool) });
    expect(await pipeline.run({ jobId: 'a', postUrl: fx.host.postUrl('forbidden') })).toMatchObject({ status: 'completed' });
    expect(((await pipeline.run({ jobId: 'b', postUrl: fx.host.postUrl('flaky', { fail: 2, key: 'p' }) })) as MediaJobResult).attempts).toBe(3);
    expect(await pipeline.run({ jobId: 'c', postUrl: fx.host.postUrl('reextract') })).toMatchObject({ via: 're-extract' });
    expect(await pipeline.run({ jobId: 'd', postUrl: fx.host.postUrl('truncated') })).toMatchObject({ code: 'ERR_MEDIA_TRUNCATED', retryable: true });
    expect(await pipeline.run({ jobId: 'e', postUrl: fx.host.postUrl('flaky', { fail: 5, key: 'p4', status: 429 }) })).toMatchObject({ code: 'ERR_MEDIA_HTTP_CLIENT', retryable: false });
    expect(await pipeline.run({ jobId: 'f', postUrl: fx.host.postUrl('flaky', { fail: 5, key: 'p5' }) })).toMatchObject({ code: 'ERR_MEDIA_HTTP_SERVER', retryable: true });
    expect((await filesUnder(fx.root)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('cancel stops the thread mid-download; the runner removes the .part the thread left', async () => {
    const controller = new AbortController();
    const outcome = await fx.pipeline({ steps: poolSteps(pool) }).run(
      { jobId: 'j', postUrl: fx.host.postUrl('slow', { size: 4_000_000, delay: 20 }) },
      { signal: controller.signal, progress: (pct) => pct > 50 && controller.abort() },
    );
    expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_CANCELLED' });
    expect(await filesUnder(fx.root)).toEqual([]);
  });

  it('runs 100 jobs at once on two threads, each to its own file, no .part left', async () => {
    const pipeline = fx.pipeline({ steps: poolSteps(pool) });
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => pipeline.run({ jobId: `job-${i}`, postUrl: fx.host.postUrl('ok', { size: 30_000 + i }) })));
    expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 100 }, () => 'completed'));
    for (const [i, o] of outcomes.entries()) expect((o as MediaJobResult).bytes).toBe(30_000 + i);
    const files = await filesUnder(fx.root);
    expect([files.filter((f) => f.endsWith('.mp4')).length, files.filter((f) => f.endsWith('.jpg')).length]).toEqual([100, 100]);
    expect(files.filter((f) => f.endsWith('.part'))).toEqual([]);
  });
});
