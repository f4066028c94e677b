/**
 * Each step on its own against the local media host: extract, account and
 * slug, download (stream, rename, cap, timeout, cancel, truncation,
 * progress), validate (content type, size, magic bytes).
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { htmlPage, mp4Bytes } from '../../../demo/media-host/index.js';
import {
  deriveAccount,
  httpDownload,
  httpExtractor,
  isReusable,
  MediaCancelledError,
  pickCandidate,
  signedUrlExpiry,
  validateVideo,
  type MediaError,
} from '../../../src/actors/media/index.js';
import { extractWithTimeout } from '../../../src/actors/media/extract.js';
import { filesUnder, mediaFixture, type MediaFixture } from './helpers.js';

let fx: MediaFixture;
beforeEach(async () => {
  fx = await mediaFixture();
});
afterEach(() => fx.close());

const never = new AbortController().signal;
const request = (fx: MediaFixture, url: string, extra: Partial<Parameters<typeof httpDownload>[0]> = {}) => ({
  url,
  partPath: join(fx.root, 'j.mp4.part'),
  outputPath: join(fx.root, 'j.mp4'),
  maxBytes: 10 * 1024 * 1024,
  timeoutMs: 10_000,
  ...extra,
});
const rejection = async (promise: Promise<unknown>) => (await promise.then(() => expect.fail('resolved'), (e: unknown) => e)) as MediaError;

describe('1. extract', () => {
  it('reads the JSON candidates, account and thumbnails of a post page, URLs resolved against it', async () => {
    const extraction = await httpExtractor(fx.host.postUrl('ok', { size: 20000 }), { signal: never });
    expect(extraction.account).toEqual({ platform: 'loopback', handle: 'alice', displayName: 'Alice' });
    expect(extraction.candidates.map((c) => c.url)).toEqual([`${fx.host.url}/media/ok.mp4?size=20000&v=low`, `${fx.host.url}/media/ok.mp4?size=20000&v=hd`]);
    expect(extraction.thumbnails).toEqual([`${fx.host.url}/image/thumb.jpg`]);
    expect(pickCandidate(extraction.candidates, new Set())?.url).toContain('v=hd');
  });

  it('falls back to og:video and og:image when the page has no JSON block', async () => {
    const extraction = await httpExtractor(fx.host.postUrl('og'), { signal: never });
    expect(extraction.candidates).toEqual([{ url: `${fx.host.url}/media/ok.mp4?size=65536&v=ok` }]);
    expect(extraction.thumbnails).toEqual([`${fx.host.url}/image/thumb.jpg`]);
    expect(extraction.account.platform).toBe('loopback');
  });

  it('times out with a retryable ERR_MEDIA_TIMEOUT', async () => {
    const error = await rejection(extractWithTimeout(httpExtractor, fx.host.postUrl('slow-page', { delay: 5000 }), { signal: never, timeoutMs: 50 }));
    expect([error.code, error.retryable]).toEqual(['ERR_MEDIA_TIMEOUT', true]);
  });

  it('fails with ERR_MEDIA_EXTRACT_FAILED when the post offers no media', async () => {
    const error = await rejection(extractWithTimeout(httpExtractor, fx.host.postUrl('empty'), { signal: never, timeoutMs: 5000 }));
    expect(error.code).toBe('ERR_MEDIA_EXTRACT_FAILED');
  });

  it('reuses a signed URL only while its expiry is beyond the safety margin', () => {
    const nowMs = Date.UTC(2026, 0, 1);
    const at = (s: number) => Math.floor(nowMs / 1000) + s;
    expect(signedUrlExpiry(`https://cdn/v.mp4?oe=${at(0).toString(16).toUpperCase()}`)).toBe(nowMs);
    expect(signedUrlExpiry(`https://cdn/v.mp4?X-Amz-Date=20260101T000000Z&X-Amz-Expires=300`)).toBe(nowMs + 300_000);
    expect(isReusable(`https://cdn/v.mp4?Expires=${at(3600)}`, nowMs)).toBe(true);
    expect(isReusable(`https://cdn/v.mp4?Expires=${at(30)}`, nowMs)).toBe(false); // inside the 60 s margin
    expect(isReusable(`https://cdn/v.mp4?Expires=${at(-1)}`, nowMs)).toBe(false);
    expect(isReusable('https://cdn/v.mp4', nowMs)).toBe(true); // unsigned: does not expire
  });
});

describe('2. account and slug', () => {
  it('derives the slug <platform>-<handle> as one safe segment', () => {
    const base = { candidates: [], thumbnails: [] };
    expect(deriveAccount({ ...base, account: { platform: 'loopback', handle: 'alice', displayName: 'A' } }, '').slug).toBe('loopback-alice');
    const hostile = deriveAccount({ ...base, account: { platform: 'x', handle: '../../etc/passwd', displayName: '' } }, '').slug;
    expect(hostile).toMatch(/^[a-z0-9][a-z0-9._-]*$/);
    expect(hostile).not.toContain('..');
  });
});

describe('3. download', () => {
  it('streams to .part, renames on success, and reports progress while it streams', async () => {
    const progress: number[] = [];
    const file = await httpDownload(request(fx, `${fx.host.url}/media/slow.mp4?size=131072&delay=5`), { signal: never, onProgress: (n) => progress.push(n) });
    expect(file.bytes).toBe(131072);
    expect(await filesUnder(fx.root)).toEqual(['j.mp4']);
    expect((await readFile(file.path)).equals(mp4Bytes(131072))).toBe(true);
    expect(progress.length).toBeGreaterThan(4);
    expect(progress.at(-1)).toBe(131072);
  });

  it('refuses a body over the size cap (from Content-Length) and leaves no file', async () => {
    const error = await rejection(httpDownload(request(fx, `${fx.host.url}/media/ok.mp4?size=200000`, { maxBytes: 100_000 }), { signal: never }));
    expect([error.code, error.retryable]).toEqual(['ERR_MEDIA_TOO_LARGE', false]);
    expect(await filesUnder(fx.root)).toEqual([]);
  });

  it('refuses a body without Content-Length once it streams past the cap, and leaves no file', async () => {
    const error = await rejection(httpDownload(request(fx, `${fx.host.url}/media/chunked.mp4?size=500000`, { maxBytes: 100_000 }), { signal: never }));
    expect([error.code, error.retryable]).toEqual(['ERR_MEDIA_TOO_LARGE', false]);
    expect(await filesUnder(fx.root)).toEqual([]);
    const file = await httpDownload(request(fx, `${fx.host.url}/media/chunked.mp4?size=90000`, { maxBytes: 100_000 }), { signal: never });
    expect([file.bytes, (await readFile(file.path)).equals(mp4Bytes(90_000))]).toEqual([90_000, true]);
  });

  it('times out a slow body with a retryable ERR_MEDIA_TIMEOUT and no file', async () => {
    const error = await rejection(httpDownload(request(fx, `${fx.host.url}/media/slow.mp4?size=1048576&delay=50`, { timeoutMs: 150 }), { signal: never }));
    expect([error.code, error.retryable]).toEqual(['ERR_MEDIA_TIMEOUT', true]);
    expect(await filesUnder(fx.root)).toEqual([]);
  });

  it('aborts on cancel mid-body and removes the .part file', async () => {
    const controller = new AbortController();
    const error = await rejection(
      httpDownload(request(fx, `${fx.host.url}/media/slow.mp4?size=1048576&delay=20`), {
        signal: controller.signal,
        onProgress: (n) => n >= 32 * 1024 && controller.abort(),
      }),
    );
    expect(error).toBeInstanceOf(MediaCancelledError);
    expect(await filesUnder(fx.root)).toEqual([]);
  });

  it('treats a body shorter than its Content-Length as a retryable ERR_MEDIA_TRUNCATED', async () => {
    const error = await rejection(httpDownload(request(fx, `${fx.host.url}/media/truncated.mp4?size=200000`), { signal: never }));
    expect([error.code, error.retryable]).toEqual(['ERR_MEDIA_TRUNCATED', true]);
    await expect(access(join(fx.root, 'j.mp4.part'))).rejects.toThrow();
    expect(await filesUnder(fx.root)).toEqual([]);
  });
});

describe('4. validate', () => {
  const write = async (name: string, bytes: Buffer) => {
    const path = join(fx.root, name);
    await writeFile(path, bytes);
    return path;
  };

  it('accepts an mp4 by its ftyp box', async () => {
    expect(await validateVideo({ path: await write('a.mp4', mp4Bytes(20_000)), contentType: 'video/mp4', minBytes: 10_240 })).toEqual({ valid: true, mime: 'video/mp4', ext: 'mp4' });
  });

  it('refuses HTML served as text/html, HTML served as video/mp4, and files under 10 KB', async () => {
    const html = await write('h.mp4', htmlPage('Service unavailable'));
    expect(await validateVideo({ path: html, contentType: 'text/html', minBytes: 10_240 })).toEqual({ valid: false, reason: 'content type text/html is not a video' });
    expect(await validateVideo({ path: html, contentType: 'video/mp4', minBytes: 10_240 })).toMatchObject({ valid: false, reason: expect.stringMatching(/magic bytes/) });
    expect(await validateVideo({ path: await write('t.mp4', mp4Bytes(2048)), contentType: 'video/mp4', minBytes: 10_240 })).toEqual({
      valid: false,
      reason: '2048 bytes is under the 10240-byte minimum',
    });
  });
});
