import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, VirtualClock } from '../../../src/index.js';
import { JOBS, createQueueHttpHandler, defineQueue, httpQueueConsumer, MAX_QUEUE_BODY_BYTES, StaleAttemptError, type QueueEvents } from '../../../src/actors/jobs/index.js';
import { LowdbStore, Persistence } from '../../../src/persistence/index.js';
import { shutdown } from '../../fixtures/shutdown.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function serve() {
  const dir = await mkdtemp(join(tmpdir(), 'steward-queue-http-'));
  closers.push(() => rm(dir, { recursive: true, force: true }));
  const store = await LowdbStore.open({ dir });
  closers.push(() => store.close());
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const system = new ActorSystem({ clock, persistence: new Persistence(store) });
  closers.push(() => shutdown(system));
  const queue = defineQueue({ name: 'render', payload: z.object({ frame: z.number().int() }), leaseMs: 30_000, retry: { attempts: 3 } });
  const handler = createQueueHttpHandler(queue.ref(system));
  const server: Server = createServer((req, res) => void (handler(req, res) || res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/queues/render`;
  const seen: { type: keyof QueueEvents; event: unknown }[] = [];
  queue.events.on('*', (type, event) => seen.push({ type, event }));
  return { store, clock, url, seen, events: queue.events, consumer: httpQueueConsumer(url) };
}

/** A loopback server that answers every request with `status` and `body`, standing for a proxy or a wrong service. */
async function answering(status: number, body = ''): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(status, body ? { 'content-type': 'application/json' } : {}).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/queues/render`;
}

describe('the pull API over loopback HTTP', () => {
  it('a consumer whose lease expires while it still works gets ERR_STALE_ATTEMPT for its late completion; the new attempt completes the job once', async () => {
    const { clock, consumer, seen, events } = await serve();
    const job = await consumer.enqueue({ frame: 1 });
    const slow = await consumer.claim({ consumer: 'slow' });
    expect(slow?.job).toMatchObject({ id: job.id, status: 'running', attemptCount: 1 });
    await consumer.progress(job.id, slow!.attemptId, 30);
    const stalled = new Promise((resolve) => events.on('stalled', resolve));
    clock.advance(30_001); // the slow consumer goes silent past its lease
    expect(await stalled).toMatchObject({ jobId: job.id, requeued: true });
    const fast = await consumer.claim({ consumer: 'fast' });
    expect(fast?.job.attemptCount).toBe(2);
    expect(await consumer.complete(job.id, fast!.attemptId, { frames: 1 })).toMatchObject({ status: 'completed', result: { frames: 1 } });
    const late = consumer.complete(job.id, slow!.attemptId, { frames: 'late' });
    await expect(late).rejects.toBeInstanceOf(StaleAttemptError);
    await expect(late).rejects.toMatchObject({ code: 'ERR_STALE_ATTEMPT' });
    expect(await consumer.get(job.id)).toMatchObject({ status: 'completed', result: { frames: 1 }, attemptId: fast!.attemptId });
    expect(seen.filter((e) => e.type === 'completed')).toHaveLength(1);
    expect(await consumer.claim()).toBeNull();
  });

  it('answers a bad body with 400 ERR_INVALID_MESSAGE and stores nothing', async () => {
    const { url, store } = await serve();
    const response = await fetch(`${url}/jobs`, { method: 'POST', body: JSON.stringify({ payload: { frame: 'one' } }), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('ERR_INVALID_MESSAGE');
    const heartbeat = await fetch(`${url}/jobs/job-1/heartbeat`, { method: 'POST', body: '{}' });
    expect(heartbeat.status).toBe(400);
    expect(await store.query(JOBS)).toEqual([]);
  });

  it('reads at most MAX_QUEUE_BODY_BYTES of a body, as strict UTF-8 JSON: 413 past it (declared or streamed), 400 otherwise, nothing stored', async () => {
    const { url, store } = await serve();
    const post = async (body: string | Buffer) => {
      const response = await fetch(`${url}/jobs`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      return [response.status, ((await response.json()) as { error: { code: string } }).error.code];
    };
    expect(await post(JSON.stringify({ payload: { frame: 1 }, padding: 'x'.repeat(MAX_QUEUE_BODY_BYTES) }))).toEqual([413, 'ERR_PAYLOAD_TOO_LARGE']);
    expect(await post('{"payload": ')).toEqual([400, 'ERR_INVALID_MESSAGE']);
    expect(await post(Buffer.concat([Buffer.from('{"payload":{"frame":1},"x":"'), Buffer.from([0xff]), Buffer.from('"}')]))).toEqual([400, 'ERR_INVALID_MESSAGE']);
    const streamed = await new Promise<number | undefined>((resolve, reject) => {
      // Chunked: no declared length, so the bound holds while the body streams in.
      const req = request(`${url}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.write('{"payload":{"frame":1},"padding":"');
      req.end(`${'x'.repeat(MAX_QUEUE_BODY_BYTES)}"}`);
    });
    expect(streamed).toBe(413);
    expect(await store.query(JOBS)).toEqual([]);
  });

  it('fails a job by attempt id with the consumer\'s code, and retries it', async () => {
    const { consumer } = await serve();
    const job = await consumer.enqueue({ frame: 2 });
    const claim = await consumer.claim();
    expect(await consumer.fail(job.id, claim!.attemptId, { code: 'ERR_GPU', message: 'out of memory' })).toMatchObject({ status: 'queued', error: { code: 'ERR_GPU' } });
    expect(await consumer.heartbeat(job.id, claim!.attemptId).catch((error: { code: string }) => error.code)).toBe('ERR_STALE_ATTEMPT');
  });

  it('a consumer takes only what the queue could have answered: anything else is ERR_QUEUE_UNAVAILABLE', async () => {
    const empty = httpQueueConsumer(await answering(204));
    expect(await empty.claim()).toBeNull(); // 204: nothing is ready
    await expect(empty.enqueue({ frame: 1 })).rejects.toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE', message: 'queue answered POST /jobs with 204 and no body' });
    await expect(empty.get('job-1')).rejects.toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE' });
    const html = httpQueueConsumer(await answering(502, '<html>bad gateway</html>'));
    await expect(html.get('job-1')).rejects.toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE', message: 'queue answered GET /jobs/job-1 with 502 and a body that is not JSON' });
    const unknown = httpQueueConsumer(await answering(418, JSON.stringify({ error: { code: 'ERR_TEAPOT', message: 'short and stout' } })));
    await expect(unknown.get('job-1')).rejects.toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE', message: 'queue answered GET /jobs/job-1 with 418 ERR_TEAPOT: short and stout' });
  });
});
