/**
 * The runner end to end against the local media host: the happy path with
 * its progress and paths, every branch (strategies, 403, retries, signed
 * reuse, thumbnails), and the promise that every failure is coded and
 * leaves no partial file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jpegBytes, MEDIA_HOST_COOKIE, mp4Bytes } from '../../../demo/media-host/index.js';
import { DEFAULT_STRATEGIES, MediaJobFailedError, type MediaJobOutcome, type MediaJobResult } from '../../../src/actors/media/index.js';
import { filesUnder, mediaFixture, type MediaFixture } from './helpers.js';

let fx: MediaFixture;
beforeEach(async () => {
  fx = await mediaFixture();
});
afterEach(() => fx.close());

const completed = (outcome: MediaJobOutcome): MediaJobResult => {
  if (outcome.status !== 'completed') expect.fail(`${outcome.code}: ${outcome.message}`);
  return outcome;
};

describe('the media pipeline', () => {
  it('runs extract → account (50) → download → validate → thumbnail → complete (100) with relative forward-slash paths', async () => {
    const progress: number[] = [];
    const beats: number[] = [];
    const outcome = completed(
      await fx.pipeline().run({ jobId: 'job-1', postUrl: fx.host.postUrl('ok', { size: 300_000 }), traceId: 'trace-1' }, { progress: (p) => progress.push(p), heartbeat: () => beats.push(1) }),
    );
    expect(outcome).toMatchObject({
      outputPath: 'loopback-alice/job-1.mp4',
      thumbnailPath: 'loopback-alice/thumbnails/job-1.jpg',
      account: { platform: 'loopback', handle: 'alice', displayName: 'Alice' },
      bytes: 300_000,
      mime: 'video/mp4',
      via: 'direct',
    });
    expect(outcome.sourceUrl).toContain('/media/ok.mp4?…'); // the query (a signature) is never reported
    expect(await filesUnder(fx.root)).toEqual(['loopback-alice/job-1.mp4', 'loopback-alice/thumbnails/job-1.jpg']);
    expect((await readFile(join(fx.root, outcome.outputPath))).equals(mp4Bytes(300_000))).toBe(true);
    expect((await readFile(join(fx.root, outcome.thumbnailPath!))).equals(jpegBytes())).toBe(true);
    expect(progress[0]).toBe(50);
    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(beats.length).toBeGreaterThan(0);
  });

  it('tags every event with the job id and the trace id', async () => {
    await fx.pipeline().run({ jobId: 'job-t', postUrl: fx.host.postUrl('alternative'), traceId: 'trace-t' });
    await fx.pipeline().run({ jobId: 'job-u', postUrl: fx.host.postUrl('missing') });
    expect(fx.events.length).toBeGreaterThan(5);
    for (const event of fx.events) {
      expect(event.jobId).toMatch(/^job-[tu]$/);
      expect(event.traceId.length).toBeGreaterThan(0);
    }
    expect(fx.events.filter((e) => e.jobId === 'job-t').every((e) => e.traceId === 'trace-t')).toBe(true);
  });

  describe('5. strategies when invalid', () => {
    it('authenticated: downloads again with the cookie source\'s cookie after a login wall served with 200', async () => {
      const asked: string[] = [];
      const outcome = completed(
        await fx.pipeline({ steps: { cookieSource: ({ platform }) => (asked.push(platform), MEDIA_HOST_COOKIE) } }).run({ jobId: 'j', postUrl: fx.host.postUrl('cookie') }),
      );
      expect([outcome.via, asked]).toEqual(['authenticated', ['loopback']]);
      expect(fx.events.some((e) => e.step === 'validate' && e.message.includes('text/html'))).toBe(true);
    });

    it('alternative: another candidate when the best one is an HTML page and there are no cookies', async () => {
      const outcome = completed(await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('alternative') }));
      expect(outcome.via).toBe('alternative');
      expect(outcome.sourceUrl).toContain('/media/ok.mp4');
    });

    it('re-extract: a fresh extraction offers a new candidate', async () => {
      const outcome = completed(await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('reextract') }));
      expect(outcome.via).toBe('re-extract');
      expect(fx.host.hits('/post/reextract')).toBe(2);
    });

    it('runs authenticated → alternative → re-extract in that order, each after the bad file was deleted', async () => {
      const filesWhenTried: string[][] = [];
      const strategies = DEFAULT_STRATEGIES.map((strategy) => ({
        name: strategy.name,
        run: async (context: Parameters<typeof strategy.run>[0]) => {
          filesWhenTried.push(await filesUnder(fx.root));
          return strategy.run(context);
        },
      }));
      const outcome = await fx.pipeline({ steps: { strategies, cookieSource: () => 'session=wrong' } }).run({ jobId: 'j', postUrl: fx.host.postUrl('html') });
      expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_INVALID' });
      expect(fx.events.filter((e) => e.step.startsWith('strategy:') && e.message === 'trying').map((e) => e.step)).toEqual([
        'strategy:authenticated',
        'strategy:alternative',
        'strategy:re-extract',
      ]);
      expect(filesWhenTried).toEqual([[], [], []]);
      expect(fx.host.hits('/media/html.mp4')).toBe(2); // direct and with the cookie; the fresh extraction offers nothing untried
      expect(fx.host.hits('/post/html')).toBe(2);
    });

    it('fails with ERR_MEDIA_INVALID when every strategy still gets HTML (also served as video/mp4), and deletes every bad file', async () => {
      for (const post of ['html', 'html-as-video', 'tiny']) {
        const outcome = await fx.pipeline().run({ jobId: `j-${post}`, postUrl: fx.host.postUrl(post) });
        expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_INVALID', retryable: false });
      }
      expect(await filesUnder(fx.root)).toEqual([]);
    });
  });

  describe('6. HTTP 403 and retries', () => {
    it('on 403 re-extracts and takes a candidate not tried yet, though the stale one is still listed first', async () => {
      const outcome = completed(await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('forbidden') }));
      expect(outcome.via).toBe('direct');
      expect(fx.host.hits('/media/gated.mp4')).toBe(2); // the stale URL once, the fresh one once
      expect(fx.host.hits('/post/forbidden')).toBe(2);
    });

    it('a 403 that re-extraction cannot fix fails with the 403, after maxReExtracts', async () => {
      const outcome = await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('always-forbidden') });
      expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_EXTRACT_FAILED' });
      expect(fx.host.hits('/media/gated.mp4')).toBe(1);
    });

    it('retries 5xx with backoff and succeeds', async () => {
      const outcome = completed(await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('flaky', { fail: 2, key: 'a' }) }));
      expect([outcome.attempts, fx.host.hits('/media/flaky.mp4')]).toEqual([3, 3]);
    });

    it('gives up on 5xx after the attempts, as a retryable failure', async () => {
      const outcome = await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('flaky', { fail: 10, key: 'b' }) });
      expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_HTTP_SERVER', retryable: true });
      expect(fx.host.hits('/media/flaky.mp4')).toBe(3);
    });

    it('retries a transport error (connection reset before any answer) and succeeds', async () => {
      const outcome = completed(await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('reset', { fail: 2, key: 'r' }) }));
      expect([outcome.attempts, fx.host.hits('/media/reset.mp4')]).toEqual([3, 3]);
      expect(fx.events.filter((e) => e.message.includes('ERR_MEDIA_TRANSPORT'))).toHaveLength(2);
    });

    it('does not retry a 404 (nor a 400), each failing with its own code', async () => {
      expect(await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('missing') })).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_HTTP_NOT_FOUND', retryable: false });
      expect(fx.host.hits('/media/missing.mp4')).toBe(1);
      expect(await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('flaky', { fail: 5, key: 'c', status: 400 }) })).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_HTTP_CLIENT', retryable: false });
      expect(fx.host.hits('/media/flaky.mp4')).toBe(1);
    });

    it('retries a truncated body, and fails retryable with no partial file when it stays truncated', async () => {
      const outcome = await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('truncated', { size: 100_000 }) });
      expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_TRUNCATED', retryable: true });
      expect(fx.host.hits('/media/truncated.mp4')).toBe(3);
      expect(await filesUnder(fx.root)).toEqual([]);
    });
  });

  describe('1. reuse of an earlier extraction', () => {
    it('reuses the previous URL while its signature is valid, and extracts again once it is near expiry', async () => {
      const first = await fx.pipeline({ retry: { attempts: 1 } }).run({ jobId: 'j1', postUrl: fx.host.postUrl('truncated') });
      expect(first.status === 'failed' && first.previous).toBeTruthy();
      const previous = first.status === 'failed' ? first.previous! : expect.fail();
      const signed = completed(await fx.pipeline().run({ jobId: 'j2', postUrl: fx.host.postUrl('signed') }));
      expect(fx.host.hits('/post/signed')).toBe(1);
      // an attempt that failed after extraction hands its extraction to the next one
      const extraction = { ...previous.extraction, candidates: [{ url: `${fx.host.url}/media/signed.mp4?size=65536&Expires=${Math.floor(Date.now() / 1000) + 3600}` }] };
      const url = extraction.candidates[0]!.url;
      completed(await fx.pipeline().run({ jobId: 'j3', postUrl: fx.host.postUrl('signed'), previous: { url, extraction } }));
      expect(fx.host.hits('/post/signed')).toBe(1); // reused: no extraction
      const soon = `${fx.host.url}/media/signed.mp4?size=65536&Expires=${Math.floor(Date.now() / 1000) + 30}`;
      completed(await fx.pipeline().run({ jobId: 'j4', postUrl: fx.host.postUrl('signed'), previous: { url: soon, extraction } }));
      expect(fx.host.hits('/post/signed')).toBe(2); // inside the margin: extracted again
      expect(signed.account.handle).toBe('signed');
    });
  });

  describe('7. thumbnails', () => {
    it('skips an image URL that is not an image and takes the next; names the file by the detected type', async () => {
      const outcome = completed(await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('bad-thumbnail') }));
      expect(outcome.thumbnailPath).toBe('loopback-thumbs/thumbnails/j.jpg');
    });

    it('completes with thumbnailPath null when the post has no image', async () => {
      const outcome = completed(await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('forbidden') }));
      expect(outcome.thumbnailPath).toBeNull();
    });
  });

  describe('8. every error path', () => {
    it('ends failed with a code and a message, leaving no file, for each failure kind', async () => {
      const cases: [string, Record<string, string | number>, string, Record<string, unknown>?][] = [
        ['empty', {}, 'ERR_MEDIA_EXTRACT_FAILED'],
        ['nope', {}, 'ERR_MEDIA_HTTP_NOT_FOUND'],
        ['unsafe', {}, 'ERR_MEDIA_UNSAFE_URL'],
        ['ok', { size: 500_000 }, 'ERR_MEDIA_TOO_LARGE', { maxBytes: 100_000 }],
        ['slow', { size: 1_000_000, delay: 50 }, 'ERR_MEDIA_TIMEOUT', { downloadTimeoutMs: 100, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }],
        ['slow-page', { delay: 5000 }, 'ERR_MEDIA_TIMEOUT', { extractTimeoutMs: 50 }],
      ];
      for (const [post, query, code, options] of cases) {
        const outcome = await fx.pipeline(options).run({ jobId: `j-${post}`, postUrl: fx.host.postUrl(post, query) });
        expect(outcome, post).toMatchObject({ status: 'failed', jobId: `j-${post}`, code });
        if (outcome.status === 'failed') expect(outcome.message.length).toBeGreaterThan(5);
      }
      expect(await filesUnder(fx.root)).toEqual([]);
    });

    it('refuses a bad payload with ERR_INVALID_MESSAGE, writing nothing', async () => {
      expect(await fx.pipeline().run({ jobId: '', postUrl: 5 })).toMatchObject({ status: 'failed', code: 'ERR_INVALID_MESSAGE' });
      expect(await filesUnder(fx.root)).toEqual([]);
    });

    it('cancel mid-download ends ERR_MEDIA_CANCELLED with no .part left', async () => {
      const controller = new AbortController();
      const outcome = await fx.pipeline().run(
        { jobId: 'j', postUrl: fx.host.postUrl('slow', { size: 2_000_000, delay: 20 }) },
        { signal: controller.signal, progress: (pct) => pct > 51 && controller.abort() },
      );
      expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_CANCELLED', retryable: false });
      expect(await filesUnder(fx.root)).toEqual([]);
    });

    it('handle() rejects with the coded MediaJobFailedError for a queue handler', async () => {
      const error = await fx.pipeline().handle({ jobId: 'j', postUrl: fx.host.postUrl('missing') }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MediaJobFailedError);
      expect((error as MediaJobFailedError).code).toBe('ERR_MEDIA_HTTP_NOT_FOUND');
    });
  });

  it('runs 100 jobs at once, each to its own file', async () => {
    const pipeline = fx.pipeline();
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => pipeline.run({ jobId: `job-${i}`, postUrl: fx.host.postUrl('ok', { size: 50_000 + i }) })));
    expect(outcomes.filter((o) => o.status === 'completed')).toHaveLength(100);
    const files = await filesUnder(fx.root);
    expect(files.filter((f) => f.endsWith('.mp4'))).toHaveLength(100);
    expect(files.filter((f) => f.endsWith('.part'))).toEqual([]);
    for (const [i, o] of outcomes.entries()) expect((o as MediaJobResult).bytes).toBe(50_000 + i);
  });
});
