/**
 * `kill -9` mid-download: the process dies with its `.part` file on disk; the
 * next attempt of the same job (what the queue's recovery will start) opens
 * it truncated, downloads into it, and completes with only the finished file left.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { filesUnder, mediaFixture, type MediaFixture } from './helpers.js';

let fx: MediaFixture;
const children: import('node:child_process').ChildProcess[] = [];
beforeEach(async () => {
  fx = await mediaFixture();
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fx.close();
});

/** Runs the job in a child process and kills it with SIGKILL once the download is under way on disk. */
async function crashMidDownload(jobId: string): Promise<void> {
  const script = fileURLToPath(new URL('../../../dist/test/actors/media/fixtures/crash-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, fx.root, jobId, fx.host.postUrl('slow', { size: 4_000_000, delay: 20 })], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  child.stdout.setEncoding('utf8');
  let seen = '';
  // ends when the child's stdout closes, so a child that dies early fails the test instead of hanging it
  for await (const chunk of child.stdout as AsyncIterable<string>) {
    seen += chunk;
    if (/progress (5[5-9]|[6-9]\d)/.test(seen)) break;
  }
  await access(join(fx.root, 'loopback-slow', `${jobId}.mp4.part`)); // the download is under way, on disk
  child.kill('SIGKILL');
  await once(child, 'exit');
}

const retryUrl = () => fx.host.postUrl('slow', { size: 200_000, delay: 1 });

it('kill -9 mid-download leaves a .part that the next attempt of the job downloads over, completing with only the finished file', async () => {
  await crashMidDownload('job-crash');
  expect(await filesUnder(fx.root)).toEqual(['loopback-slow/job-crash.mp4.part']);
  const outcome = await fx.pipeline().run({ jobId: 'job-crash', postUrl: retryUrl() });
  expect(outcome).toMatchObject({ status: 'completed', outputPath: 'loopback-slow/job-crash.mp4', bytes: 200_000 });
  expect(await filesUnder(fx.root)).toEqual(['loopback-slow/job-crash.mp4']);
});

it('a next attempt that fails removes the stale .part too', async () => {
  await crashMidDownload('job-crash');
  const outcome = await fx.pipeline({ maxBytes: 1000 }).run({ jobId: 'job-crash', postUrl: retryUrl() });
  expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_TOO_LARGE' });
  expect(await filesUnder(fx.root)).toEqual([]);
});
