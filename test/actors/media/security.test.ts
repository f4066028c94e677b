/**
 * Only http(s) anywhere, redirects included; and no slug, job id or file
 * name can put a write outside the downloads directory, property-tested with
 * fast-check over hostile inputs through the real pipeline and the real
 * file system.
 */
import { mkdir, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMediaHost, type MediaHost } from '../../../demo/media-host/index.js';
import { assertHttpUrl, createMediaPipeline, ensureDirUnder, mediaPaths, safeSegment } from '../../../src/actors/media/index.js';
import { filesUnder } from './helpers.js';

let host: MediaHost;
let sandbox: string;
let root: string;
beforeEach(async () => {
  host = await startMediaHost();
  sandbox = await mkdtemp(join(tmpdir(), 'steward-media-sec-'));
  root = join(sandbox, 'downloads');
  await mkdir(root);
});
afterEach(async () => {
  await host.close();
  await rm(sandbox, { recursive: true, force: true });
});

const FRAGMENTS = ['..', '.', '/', '\\', '\0', '\n', '\u0007', '\u2024', '\uFF0E', '\uFF0F', '\u2215', '\u29F5', 'CON', 'nul', 'com1', 'LPT9.txt', '~', ' ', '%2e%2e%2f', 'é', 'ａ', '$HOME', ':', '*', '?'];
const hostile = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.array(fc.constantFrom(...FRAGMENTS, 'etc', 'passwd', 'a'), { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    fc.constant('x'.repeat(5000)),
    fc.constantFrom('/etc/passwd', 'C:\\Windows\\win.ini', '\\\\server\\share', '../../../../escape', 'ESCAPE-ABSOLUTE'),
  );

/** Every file under the sandbox is under `downloads/`, also after realpath. */
async function assertContained(): Promise<void> {
  expect(await readdir(sandbox)).toEqual(['downloads']);
  const realRoot = await realpath(root);
  for (const file of await filesUnder(root)) {
    const real = await realpath(join(root, file));
    expect(relative(realRoot, real).startsWith('..')).toBe(false);
    expect(real.startsWith(realRoot + sep)).toBe(true);
  }
}

describe('security', () => {
  it('fetches only http: and https: URLs', () => {
    for (const url of ['file:///etc/passwd', 'ftp://host/x', 'data:video/mp4;base64,AAAA', 'javascript:alert(1)', 'gopher://x']) {
      expect(() => assertHttpUrl(url), url).toThrow(expect.objectContaining({ code: 'ERR_MEDIA_UNSAFE_URL' }));
    }
    expect(assertHttpUrl('https://example.com/v.mp4').protocol).toBe('https:');
  });

  it('refuses an extracted file: candidate and a redirect to file:, follows an http redirect', async () => {
    const pipeline = createMediaPipeline({ downloadsDir: root, retry: { baseDelayMs: 1 } });
    expect(await pipeline.run({ jobId: 'a', postUrl: host.postUrl('unsafe', { to: 'file:///etc/passwd' }) })).toMatchObject({ code: 'ERR_MEDIA_UNSAFE_URL' });
    expect(await pipeline.run({ jobId: 'b', postUrl: host.postUrl('redirect', { to: 'file:///etc/passwd' }) })).toMatchObject({ code: 'ERR_MEDIA_UNSAFE_URL' });
    expect(await pipeline.run({ jobId: 'c', postUrl: host.postUrl('redirect') })).toMatchObject({ status: 'completed', outputPath: 'loopback-moved/c.mp4' });
    expect(await pipeline.run({ jobId: 'd', postUrl: 'file:///etc/passwd' })).toMatchObject({ code: 'ERR_MEDIA_UNSAFE_URL' });
  });

  it('safeSegment: one segment of [a-z0-9._-], never . or .., never reserved, at most 64, distinct inputs stay distinct', () => {
    fc.assert(
      fc.property(hostile(), hostile(), (a, b) => {
        const sa = safeSegment(a);
        expect(sa).toMatch(/^[a-z0-9][a-z0-9._-]{0,63}$/);
        expect(sa).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/);
        expect(sa.endsWith('.')).toBe(false);
        if (a !== b) expect(sa).not.toBe(safeSegment(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: writing every path of a job with hostile slug and job id lands under the root', async () => {
    await fc.assert(
      fc.asyncProperty(hostile(), hostile(), hostile(), async (slug, jobId, ext) => {
        const paths = mediaPaths(root, slug === 'ESCAPE-ABSOLUTE' ? join(sandbox, 'escape') : slug, jobId);
        await ensureDirUnder(root, paths.slugDir);
        await ensureDirUnder(root, paths.thumbnailsDir);
        for (const path of [paths.part, paths.output, paths.thumbnail(ext)]) await writeFile(path, 'x');
        expect(paths.relative(paths.output)).not.toMatch(/^\.\.|\\/);
      }),
      { numRuns: 300 },
    );
    await assertContained();
  });

  it('property: the whole pipeline, with a hostile job id and a post whose account is hostile, writes only under the root', async () => {
    const pipeline = createMediaPipeline({ downloadsDir: root, retry: { baseDelayMs: 1 } });
    await fc.assert(
      fc.asyncProperty(hostile(), hostile(), hostile(), async (jobId, handle, platform) => {
        const outcome = await pipeline.run({ jobId: jobId.slice(0, 1000), postUrl: host.postUrl('hostile', { handle: handle.slice(0, 400) || 'h', platform: platform.slice(0, 150) || 'p' }) });
        if (outcome.status === 'completed') {
          expect(outcome.outputPath).toMatch(/^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*\.mp4$/);
          expect(outcome.thumbnailPath).toMatch(/^[a-z0-9][a-z0-9._-]*\/thumbnails\/[a-z0-9][a-z0-9._-]*\.jpg$/);
        }
      }),
      { numRuns: 60 },
    );
    await assertContained();
    expect((await filesUnder(root)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('refuses a symlink in the tree that points outside', async () => {
    const { symlink } = await import('node:fs/promises');
    await mkdir(join(sandbox, 'outside'));
    await symlink(join(sandbox, 'outside'), join(root, 'loopback-alice'));
    const outcome = await createMediaPipeline({ downloadsDir: root }).run({ jobId: 'j', postUrl: host.postUrl('ok') });
    expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_UNSAFE_PATH' });
    expect(await readdir(join(sandbox, 'outside'))).toEqual([]);
  });

  it('refuses a symlink planted at the .part name itself (O_NOFOLLOW), leaving its target untouched', async () => {
    const { readFile, symlink } = await import('node:fs/promises');
    const outside = join(sandbox, 'outside.txt');
    await writeFile(outside, 'precious');
    await mkdir(join(root, 'loopback-alice'));
    await symlink(outside, join(root, 'loopback-alice', 'j.mp4.part'));
    const outcome = await createMediaPipeline({ downloadsDir: root }).run({ jobId: 'j', postUrl: host.postUrl('ok') });
    expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_UNSAFE_PATH', retryable: false });
    expect(await readFile(outside, 'utf8')).toBe('precious');
    expect(await readdir(join(root, 'loopback-alice'))).not.toContain('j.mp4.part'); // the planted link is removed, not followed
  });
});
