/**
 * The pipeline in the generic queue handler shape, against the local media
 * host: results resolve, failures reject coded and `retryable`, every event
 * carries the attempt id, and a retried job reuses its earlier extraction.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaJobFailedError, mediaQueueHandler, type MediaQueueJobContext } from '../../../src/actors/media/index.js';
import { filesUnder, mediaFixture, type MediaFixture } from './helpers.js';

let fx: MediaFixture;
beforeEach(async () => {
  fx = await mediaFixture();
});
afterEach(() => fx.close());

const attempt = (attemptId: number, signal = new AbortController().signal, progress: number[] = []): MediaQueueJobContext => ({
  signal,
  progress: (pct) => progress.push(pct),
  heartbeat: () => {},
  attemptId,
});
const rejection = (promise: Promise<unknown>) => promise.then(() => expect.fail('resolved'), (e: unknown) => e as MediaJobFailedError);

describe('mediaQueueHandler', () => {
  it('resolves with the result, reports progress to 100, and tags every event with the attempt id', async () => {
    const progress: number[] = [];
    const result = await mediaQueueHandler(fx.pipeline())({ jobId: 'q1', postUrl: fx.host.postUrl('ok') }, attempt(7, undefined, progress));
    expect(result).toMatchObject({ status: 'completed', outputPath: 'loopback-alice/q1.mp4' });
    expect([progress[0], progress.at(-1)]).toEqual([50, 100]);
    expect(fx.events.length).toBeGreaterThanOrEqual(3);
    expect(fx.events.every((e) => e.jobId === 'q1' && e.attemptId === '7')).toBe(true);
  });

  it('rejects a retryable failure as retryable; the next attempt reuses the extraction instead of reading the post again', async () => {
    const handle = mediaQueueHandler(fx.pipeline());
    const payload = { jobId: 'q2', postUrl: fx.host.postUrl('flaky', { fail: 3, key: 'q2' }) };
    const first = await rejection(handle(payload, attempt(1)));
    expect(first).toBeInstanceOf(MediaJobFailedError);
    expect([first.code, first.retryable]).toEqual(['ERR_MEDIA_HTTP_SERVER', true]);
    expect(await filesUnder(fx.root)).toEqual([]);

    const second = await handle(payload, attempt(2));
    expect(second).toMatchObject({ status: 'completed', outputPath: 'loopback-flaky/q2.mp4' });
    expect(fx.host.hits('/post/flaky')).toBe(1);
    expect(fx.events.some((e) => e.attemptId === '2' && e.step === 'extract' && e.message.startsWith('reusing'))).toBe(true);
  });

  it('rejects a final failure (404) and a cancel as not retryable, leaving no file', async () => {
    const handle = mediaQueueHandler(fx.pipeline());
    const missing = await rejection(handle({ jobId: 'q3', postUrl: fx.host.postUrl('missing') }, attempt(1)));
    expect([missing.code, missing.retryable]).toEqual(['ERR_MEDIA_HTTP_NOT_FOUND', false]);

    const controller = new AbortController();
    const context = { ...attempt(1, controller.signal), progress: (pct: number) => pct > 51 && controller.abort() };
    const cancelled = await rejection(handle({ jobId: 'q4', postUrl: fx.host.postUrl('slow', { size: 2_000_000, delay: 20 }) }, context));
    expect([cancelled.code, cancelled.retryable]).toEqual(['ERR_MEDIA_CANCELLED', false]);
    expect(await filesUnder(fx.root)).toEqual([]);
  });

  it('refuses a bad payload with ERR_INVALID_MESSAGE, not retryable', async () => {
    const error = await rejection(mediaQueueHandler(fx.pipeline())({ jobId: 5 }, attempt(1)));
    expect([error.code, error.retryable]).toEqual(['ERR_INVALID_MESSAGE', false]);
  });
});
