/**
 * The media pipeline bound to a job queue (demo/media-queue.ts), as `npm
 * start` runs it: real queue actor on a real lowdb directory, real pool
 * threads, a real local media host. Every post ends as the demo says, the
 * queue retries what the pipeline calls retryable and never what it calls
 * final, and only finished files are left on disk.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MEDIA_DEMO_JOBS, startMediaDemo, type MediaDemo } from '../../../demo/media-demo.js';
import { defineMediaQueue, FINAL_MEDIA_CODES } from '../../../demo/media-queue.js';
import { startMediaHost, type MediaHost } from '../../../demo/media-host/index.js';
import type { QueueEventBus } from '../../../src/actors/jobs/index.js';
import { LowdbStore, Persistence } from '../../../src/persistence/index.js';
import { PiscinaPool } from '../../../src/pools/index.js';
import { ActorSystem } from '../../../src/runtime/index.js';
import { filesUnder } from './helpers.js';

let root: string;
let system: ActorSystem | undefined;
let closers: (() => Promise<void>)[] = [];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'steward-media-queue-'));
});
afterEach(async () => {
  await system?.shutdown({ deadlineMs: 2_000 });
  system = undefined;
  for (const close of closers.reverse()) await close();
  closers = [];
  await rm(root, { recursive: true, force: true });
});

/** Resolves once `count` jobs have ended for good (completed, or failed with no retry left). */
function ended(events: QueueEventBus, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const one = () => ++seen === count && resolve();
    events.on('completed', one);
    events.on('failed', ({ final }) => final && one());
  });
}

describe('the media queue of the demo', () => {
  let media: MediaDemo;

  it('every demo post ends as the demo expects, through the queue on pool threads, leaving only finished files', { timeout: 60_000 }, async () => {
    const persistence = new Persistence(await LowdbStore.open({ dir: join(root, 'data') }));
    const pool = new PiscinaPool({ name: 'media', maxThreads: 2 });
    media = await startMediaDemo({ downloadsDir: join(root, 'downloads'), pool, persistence });
    closers.push(() => media.close());
    const s = (system = new ActorSystem({ persistence, pools: { media: pool }, reminders: { actors: [media.queue.actor] } }));
    const done = ended(media.queue.events, MEDIA_DEMO_JOBS.length);
    await media.enqueue(s, 1);
    await done;

    const lines = await media.lines(s);
    expect(lines.map((line) => line.ended)).toEqual(MEDIA_DEMO_JOBS.map((job) => job.expect));
    expect(lines.map((line) => line.attempts)).toEqual(MEDIA_DEMO_JOBS.map((job) => job.attempts ?? 1));
    expect(await media.violations(lines)).toEqual([]);
    const files = await filesUnder(join(root, 'downloads'));
    expect(files.filter((f) => f.endsWith('.mp4'))).toHaveLength(MEDIA_DEMO_JOBS.length - 1);
    const junk = lines.find((line) => line.ended.startsWith('failed'));
    expect(files.filter((f) => f.endsWith('.part') || f.includes(junk?.jobId ?? '?'))).toEqual([]);

    // The same round again (a resumed run) enqueues nothing new.
    await media.enqueue(s, 1);
    expect((await media.lines(s)).map((line) => line.jobId)).toEqual(lines.map((line) => line.jobId));
    expect(await media.queue.ref(s).ask('counts', {})).toMatchObject({ queued: 0, running: 0 });
  });

  it('refuses a post that is not an http(s) URL at enqueue, storing nothing, and fails a final media code at its first attempt', { timeout: 60_000 }, async () => {
    const host: MediaHost = await startMediaHost();
    closers.push(() => host.close());
    const queue = defineMediaQueue({ pipeline: { downloadsDir: join(root, 'downloads'), retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }, retry: { attempts: 3, backoff: { delayMs: 1 } } });
    const persistence = new Persistence(await LowdbStore.open({ dir: join(root, 'data') }));
    const s = (system = new ActorSystem({ persistence, reminders: { actors: [queue.actor] } }));
    const ref = queue.ref(s);

    const refused = await ref.ask('enqueue', { payload: { postUrl: 'file:///etc/passwd' } }).then(
      () => 'accepted',
      (error: { code?: string }) => error.code,
    );
    expect(refused).toBe('ERR_INVALID_MESSAGE');
    expect(await ref.ask('counts', {})).toMatchObject({ queued: 0, running: 0 });

    const done = ended(queue.events, 2);
    const unsafe = await ref.ask('enqueue', { payload: { postUrl: host.postUrl('unsafe') } });
    const flaky = await ref.ask('enqueue', { payload: { postUrl: host.postUrl('flaky', { size: 65_536, fail: 2, key: 'binding' }) } });
    await done;
    const [unsafeJob, flakyJob] = await Promise.all([ref.ask('get', { jobId: unsafe.id }), ref.ask('get', { jobId: flaky.id })]);
    expect(FINAL_MEDIA_CODES).toContain('ERR_MEDIA_UNSAFE_URL');
    expect(unsafeJob).toMatchObject({ status: 'failed', attemptCount: 1, error: { code: 'ERR_MEDIA_UNSAFE_URL' } });
    // 503 twice with one download per attempt: the queue, not the pipeline, retries it.
    expect(flakyJob).toMatchObject({ status: 'completed', attemptCount: 3, result: { jobId: flaky.id, via: 'direct' } });
    expect(await filesUnder(join(root, 'downloads'))).toEqual([`loopback-flaky/${flaky.id}.mp4`]);
  });
});
