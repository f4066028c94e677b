import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { realClock, VirtualClock } from '../../../../src/index.js';
import {
  createWebhookHandler,
  DEFAULT_WEBHOOK_TOLERANCE_MS,
  parseWebhookBody,
  signWebhook,
  startWebhookServer,
  type WebhookBody,
} from '../../../../src/actors/cook/service/index.js';
import { rejectionOf, signed, TEST_WEBHOOK_SECRET, type Closable } from './helpers.js';

const secret = TEST_WEBHOOK_SECRET;

const ok: WebhookBody = { jobId: 'job-1', success: true, result: { pieceIndex: 1, uri: 'gen://c/1/job-1' } };

describe('webhook handler', () => {
  it('passes a valid completion to the callback and answers 200', async () => {
    const onCompletion = vi.fn();
    const handler = createWebhookHandler(onCompletion, { secret, clock: realClock });
    expect(await handler(signed({ ...ok, extra: 'ignored' }))).toEqual({ status: 200, body: { ok: true, jobId: 'job-1' } });
    expect(onCompletion).toHaveBeenCalledExactlyOnceWith(ok);
  });

  it.each([
    ['wrong types', { jobId: 5, success: 'yes' }],
    ['a success without a result', { jobId: 'job-1', success: true }],
    ['a failure without an error', { jobId: 'job-1', success: false }],
    ['not an object', '"job-1 done"'],
    ['a control character in the job id', { jobId: 'job\n1', success: false, error: 'x' }],
  ])('refuses %s with 400 ERR_INVALID_WEBHOOK and does not call back', async (_, body) => {
    const onCompletion = vi.fn();
    const response = await createWebhookHandler(onCompletion, { secret, clock: realClock })(signed(typeof body === 'string' ? body : JSON.stringify(body)));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'ERR_INVALID_WEBHOOK', issues: expect.any(Array) } });
    expect(onCompletion).not.toHaveBeenCalled();
  });

  it('names every issue in the error', async () => {
    const response = await createWebhookHandler(() => {}, { secret, clock: realClock })(signed({ jobId: 5, success: 'yes' }));
    expect(response.body).toMatchInlineSnapshot(`
      {
        "error": {
          "code": "ERR_INVALID_WEBHOOK",
          "issues": [
            {
              "code": "invalid_type",
              "message": "Invalid input: expected string, received number",
              "path": [
                "jobId",
              ],
            },
            {
              "code": "invalid_type",
              "message": "Invalid input: expected boolean, received string",
              "path": [
                "success",
              ],
            },
          ],
          "message": "invalid webhook body: jobId: Invalid input: expected string, received number; success: Invalid input: expected boolean, received string",
        },
      }
    `);
  });

  it('answers 500 when the callback throws, and reports the error to onError', async () => {
    const onError = vi.fn();
    const handler = createWebhookHandler(
      () => Promise.reject(new Error('mailbox full')),
      { secret, clock: realClock, onError },
    );
    const response = await handler(signed(ok));
    expect(response).toEqual({
      status: 500,
      body: { error: { code: 'ERR_WEBHOOK_FAILED', message: "completion of job 'job-1' could not be recorded; retry later" } },
    });
    expect(onError).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ message: 'mailbox full' }), ok);
  });

  it("reads the replay window on its clock, not the machine's", async () => {
    const clock = new VirtualClock(Date.UTC(2031, 0, 1));
    const onCompletion = vi.fn();
    const handler = createWebhookHandler(onCompletion, { secret, clock });
    expect((await handler(signed(ok, secret, clock.now()))).status).toBe(200);
    expect((await handler(signed(ok, secret, realClock.now()))).status).toBe(401); // years before the clock's time
    const early = signed(ok, secret, clock.now());
    clock.advance(DEFAULT_WEBHOOK_TOLERANCE_MS + 1_000);
    expect((await handler(early)).body).toMatchObject({ error: { code: 'ERR_WEBHOOK_SIGNATURE', message: expect.stringContaining('replay window') } });
    expect(onCompletion).toHaveBeenCalledOnce();
  });

  it('parseWebhookBody throws a coded error', async () => {
    const err = await rejectionOf(Promise.resolve().then(() => parseWebhookBody({ jobId: 'j', success: true })));
    expect(err).toMatchObject({ name: 'InvalidWebhookError', code: 'ERR_INVALID_WEBHOOK' });
    expect(err.message).toMatchInlineSnapshot(`"invalid webhook body: result: a successful completion must carry a result"`);
  });
});

describe('webhook server (mountWebhook over node:http)', () => {
  const open: Closable[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((closable) => closable.close()));
  });

  async function serve(maxBodyBytes?: number) {
    const onCompletion = vi.fn();
    const server = await startWebhookServer(createWebhookHandler(onCompletion, { secret, clock: realClock }), maxBodyBytes === undefined ? {} : { maxBodyBytes });
    open.push(server);
    return { url: server.url, onCompletion };
  }

  /** POSTs `body` signed as the service would, or with the given signature (`null`: unsigned). */
  async function post(url: string, body: string, signature: string | null = signed(body).signature ?? null) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(signature ? { 'steward-signature': signature } : {}) };
    const response = await fetch(url, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
  }

  it('serves on 127.0.0.1 at /webhook and reports a valid body', async () => {
    const { url, onCompletion } = await serve();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
    expect(await post(url, JSON.stringify(ok))).toEqual({ status: 200, body: { ok: true, jobId: 'job-1' } });
    expect(onCompletion).toHaveBeenCalledExactlyOnceWith(ok);
  });

  it.each([
    ['non-JSON', '{"jobId": "job-1", '],
    ['an empty body', ''],
    ['wrong types', JSON.stringify({ jobId: ['job-1'], success: 1 })],
  ])('answers 400 ERR_INVALID_WEBHOOK to %s and does not call back', async (_, body) => {
    const { url, onCompletion } = await serve();
    const response = await post(url, body);
    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe('ERR_INVALID_WEBHOOK');
    expect(onCompletion).not.toHaveBeenCalled();
  });

  it('answers 400 to invalid UTF-8 rather than reading a mangled body', async () => {
    const { url, onCompletion } = await serve();
    const bytes = Buffer.concat([Buffer.from('{"jobId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","success":false,"error":"x"}')]);
    const response = await fetch(url, { method: 'POST', body: bytes, headers: { 'steward-signature': signWebhook(secret, bytes, realClock.now()) } });
    expect(response.status).toBe(400);
    expect(onCompletion).not.toHaveBeenCalled();
  });

  it('answers 413 ERR_PAYLOAD_TOO_LARGE to a body past 64 KiB (declared length)', async () => {
    const { url, onCompletion } = await serve();
    const response = await post(url, JSON.stringify({ ...ok, padding: 'x'.repeat(70 * 1024) }));
    expect(response).toEqual({
      status: 413,
      body: { error: { code: 'ERR_PAYLOAD_TOO_LARGE', message: 'webhook bodies are at most 65536 bytes' } },
    });
    expect(onCompletion).not.toHaveBeenCalled();
  });

  it('answers 413 to a chunked body that grows past the limit while streaming', async () => {
    const { url, onCompletion } = await serve(1024);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.write(`{"jobId":"job-1","padding":"`);
      req.end(`${'x'.repeat(2048)}"}`);
    });
    expect(status).toBe(413);
    expect(onCompletion).not.toHaveBeenCalled();
  });

  it('answers 405 to other methods and 404 to other paths', async () => {
    const { url, onCompletion } = await serve();
    expect((await fetch(url)).status).toBe(405);
    expect((await fetch(url.replace('/webhook', '/other'), { method: 'POST', body: JSON.stringify(ok) })).status).toBe(404);
    expect(onCompletion).not.toHaveBeenCalled();
  });

  it('answers 401 ERR_WEBHOOK_SIGNATURE to unsigned, forged, stale and replayed deliveries, before parsing', async () => {
    const { url, onCompletion } = await serve();
    const body = JSON.stringify(ok);
    const refused = async (signature: string | null | undefined, raw = body) => {
      const response = await post(url, raw, signature ?? null);
      return [response.status, response.body.error?.code];
    };
    expect(await refused(undefined)).toEqual([401, 'ERR_WEBHOOK_SIGNATURE']);
    expect(await refused(signed(body, 'not-the-secret-at-all-0000').signature)).toEqual([401, 'ERR_WEBHOOK_SIGNATURE']);
    expect(await refused('t=1,v1=zz')).toEqual([401, 'ERR_WEBHOOK_SIGNATURE']);
    // Stale: signed six minutes ago, past the five-minute replay window.
    expect(await refused(signed(body, secret, realClock.now() - 6 * 60_000).signature)).toEqual([401, 'ERR_WEBHOOK_SIGNATURE']);
    // The signature of one body does not cover another, even a byte apart.
    expect(await refused(signed(body).signature, body.replace('job-1', 'job-2'))).toEqual([401, 'ERR_WEBHOOK_SIGNATURE']);
    // Not even JSON, but unsigned: 401, not 400 — nothing is parsed before the signature holds.
    expect(await refused(undefined, '{"jobId": ')).toEqual([401, 'ERR_WEBHOOK_SIGNATURE']);
    expect(onCompletion).not.toHaveBeenCalled();
    expect((await post(url, body)).status).toBe(200);
  });
});
