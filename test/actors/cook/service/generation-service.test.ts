import { GenerationService, type GenerationServiceOptions } from '../../../../demo/generation-service/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpSubmitter,
  type Submitter,
} from '../../../../src/actors/cook/service/index.js';
import { job, rejectionOf, startCollector, TEST_WEBHOOK_SECRET, type Closable } from './helpers.js';

describe('local generation service', () => {
  const open: Closable[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((closable) => closable.close()));
  });

  async function setup(options: GenerationServiceOptions = {}) {
    const service = new GenerationService({ webhookSecret: TEST_WEBHOOK_SECRET, ...options });
    open.push(service);
    const { url } = await service.start();
    const hook = await startCollector();
    open.push(hook);
    const submitter: Submitter = createHttpSubmitter({ baseUrl: url, timeoutMs: 5_000 });
    return { service, url, hook, submitter };
  }

  it('accepts a job, completes it, and calls the webhook with the result', async () => {
    const { service, hook, submitter } = await setup({ seed: 3 });
    const accepted = await submitter.submit(job('job-1', { webhookUrl: hook.url, pieceIndex: 4 }));
    expect(accepted).toEqual({ jobId: 'job-1', status: 'queued' });
    await service.settled('job-1');
    expect(hook.received).toEqual([{ jobId: 'job-1', success: true, result: { pieceIndex: 4, uri: 'gen://col-1/4/job-1' } }]);
    expect(await submitter.query('job-1')).toEqual({ jobId: 'job-1', status: 'succeeded', result: { pieceIndex: 4, uri: 'gen://col-1/4/job-1' } });
    expect(service.stats()).toMatchObject({ submissions: 1, jobsCreated: 1, jobsSucceeded: 1, webhooksSent: 1, webhooksDelivered: 1 });
  });

  it('is idempotent on jobId: concurrent and late resubmissions name one job and one webhook', async () => {
    const { service, hook, submitter } = await setup();
    const answers = await Promise.all(Array.from({ length: 5 }, () => submitter.submit(job('job-1', { webhookUrl: hook.url }))));
    expect(new Set(answers.map((a) => a.jobId))).toEqual(new Set(['job-1']));
    await service.settled('job-1');
    // A resubmission after completion answers synchronously with the final status.
    expect(await submitter.submit(job('job-1', { webhookUrl: hook.url }))).toMatchObject({ status: 'succeeded' });
    expect(hook.received).toHaveLength(1);
    expect(service.stats()).toMatchObject({ submissions: 6, jobsCreated: 1, resubmissions: 5 });
  });

  it('refuses a resubmission of a job id for another piece with 409', async () => {
    const { submitter } = await setup();
    await submitter.submit(job('job-1'));
    const err = await rejectionOf(submitter.submit(job('job-1', { pieceIndex: 9 })));
    expect(err).toMatchObject({ code: 'ERR_SUBMIT_FAILED', status: 409, jobId: 'job-1' });
    expect(err.message).toMatchInlineSnapshot(`"submit of job 'job-1' failed: HTTP 409 (ERR_JOB_CONFLICT)"`);
  });

  it('injects submit failures as ERR_SUBMIT_FAILED and creates nothing', async () => {
    const { service, submitter } = await setup({ seed: 11, submitFailureRate: 1 });
    const err = await rejectionOf(submitter.submit(job('job-1')));
    expect(err.name).toBe('SubmitFailedError');
    expect(err).toMatchObject({ code: 'ERR_SUBMIT_FAILED', jobId: 'job-1' });
    expect([500, 503]).toContain(err.status);
    expect(err.message).toMatch(/^submit of job 'job-1' failed: HTTP 50[03] \(ERR_INJECTED_FAILURE\)$/);
    expect(await submitter.query('job-1')).toBeUndefined();
    expect(service.stats()).toMatchObject({ submissions: 1, submitFailuresInjected: 1, jobsCreated: 0 });
  });

  it('loses acknowledgements: the client sees ERR_SUBMIT_FAILED but the job exists', async () => {
    const { service, submitter } = await setup({ ackLossRate: 1 });
    const err = await rejectionOf(submitter.submit(job('job-1')));
    expect(err).toMatchObject({ code: 'ERR_SUBMIT_FAILED', status: undefined });
    expect(await submitter.query('job-1')).toMatchObject({ jobId: 'job-1' });
    expect(service.stats()).toMatchObject({ acksLost: 1, jobsCreated: 1 });
  });

  it('drops webhooks on purpose, and a query still shows the completion', async () => {
    const { service, hook, submitter } = await setup({ webhookDropRate: 1 });
    await submitter.submit(job('job-1', { webhookUrl: hook.url }));
    await service.settled('job-1');
    expect(hook.received).toEqual([]);
    expect(await submitter.query('job-1')).toMatchObject({ status: 'succeeded', result: { pieceIndex: 0 } });
    expect(service.stats()).toMatchObject({ webhooksDropped: 1, webhooksSent: 0 });
  });

  it('duplicates webhooks on purpose: the same body arrives twice', async () => {
    const { service, hook, submitter } = await setup({ webhookDuplicateRate: 1 });
    await submitter.submit(job('job-1', { webhookUrl: hook.url }));
    await service.settled('job-1');
    expect(hook.received).toHaveLength(2);
    expect(hook.received[0]).toEqual(hook.received[1]);
    expect(service.stats()).toMatchObject({ webhooksDuplicated: 1, webhooksSent: 2, webhooksDelivered: 2 });
  });

  it('fails jobs on purpose, reported by webhook and query', async () => {
    const { service, hook, submitter } = await setup({ jobFailureRate: 1 });
    await submitter.submit(job('job-1', { webhookUrl: hook.url, pieceIndex: 2 }));
    await service.settled('job-1');
    expect(hook.received).toMatchInlineSnapshot(`
      [
        {
          "error": "generation of piece 2 (job 'job-1') failed on purpose",
          "jobId": "job-1",
          "success": false,
        },
      ]
    `);
    expect(await submitter.query('job-1')).toMatchObject({ status: 'failed' });
  });

  it('completes inside the submission response when asked (the synchronous path), and still calls the webhook', async () => {
    const { service, hook, submitter } = await setup({ syncCompletionRate: 1 });
    expect(await submitter.submit(job('job-1', { webhookUrl: hook.url }))).toMatchObject({ status: 'succeeded', result: { pieceIndex: 0 } });
    await service.settled('job-1');
    expect(hook.received).toHaveLength(1);
  });

  it('is bounded: past maxJobs submissions get 503 ERR_SERVICE_FULL', async () => {
    const { service, submitter } = await setup({ maxJobs: 1 });
    await submitter.submit(job('job-1'));
    const err = await rejectionOf(submitter.submit(job('job-2')));
    expect(err.message).toMatchInlineSnapshot(`"submit of job 'job-2' failed: HTTP 503 (ERR_SERVICE_FULL)"`);
    expect(service.stats().rejectedFull).toBe(1);
  });

  it('draws each job fate from (seed, jobId): arrival order does not change outcomes', async () => {
    const options = { seed: 42, jobFailureRate: 0.5, webhookDropRate: 0.3, webhookDuplicateRate: 0.3 };
    const ids = Array.from({ length: 20 }, (_, i) => `job-${i}`);
    const outcomes = async (order: string[]) => {
      const { service, hook, submitter } = await setup(options);
      await Promise.all(order.map((id) => submitter.submit(job(id, { webhookUrl: hook.url }))));
      await service.idle();
      const byId = Object.fromEntries(ids.map((id) => [id, [service.job(id)?.status, hook.received.filter((c) => c.jobId === id).length]]));
      return { byId, stats: service.stats() };
    };
    const forward = await outcomes(ids);
    const backward = await outcomes([...ids].reverse());
    expect(backward.byId).toEqual(forward.byId);
    expect(forward.stats.jobsFailed).toBeGreaterThan(0);
    expect(forward.stats.jobsSucceeded).toBeGreaterThan(0);
    expect(forward.stats.webhooksDropped).toBeGreaterThan(0);
    expect(forward.stats.webhooksDuplicated).toBeGreaterThan(0);
  });

  it('refuses malformed submissions with 400 ERR_INVALID_REQUEST and the issues', async () => {
    const { url, service } = await setup();
    const response = await fetch(`${url}/jobs`, { method: 'POST', body: JSON.stringify({ jobId: '', pieceIndex: -1 }) });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; issues: { path: string[] }[] } };
    expect(body.error.code).toBe('ERR_INVALID_REQUEST');
    expect(body.error.issues.map((issue) => issue.path.join('.'))).toEqual(['jobId', 'collectionId', 'userId', 'pieceIndex']);
    const junk = await fetch(`${url}/jobs`, { method: 'POST', body: '{nope' });
    expect(junk.status).toBe(400);
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${url}/jobs`, { method: 'DELETE' })).status).toBe(405);
    expect(service.stats().submissions).toBe(0);
  });

  it('rejects pending waits with ERR_SERVICE_CLOSED on close, and refuses to restart', async () => {
    const { service, submitter } = await setup({ minDelayMs: 60_000, maxDelayMs: 60_000 });
    await submitter.submit(job('job-1'));
    const waiting = rejectionOf(service.settled('job-1'));
    const idle = rejectionOf(service.idle());
    await service.close();
    expect((await waiting).code).toBe('ERR_SERVICE_CLOSED');
    expect((await idle).code).toBe('ERR_SERVICE_CLOSED');
    expect((await rejectionOf(service.start())).message).toMatchInlineSnapshot(`"generation service is closed; create a new one"`);
    expect((await rejectionOf(submitter.submit(job('job-2')))).message).toMatch(/^submit of job 'job-2' failed: network error \(ECONNREFUSED\)$/);
  });

  it('refuses unusable options with ERR_INVALID_CONFIG', () => {
    expect(() => new GenerationService({ webhookDropRate: 2 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidConfigError: generation service: webhookDropRate must be in [0, 1], got 2]`,
    );
    expect(() => new GenerationService({ minDelayMs: 10, maxDelayMs: 5 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidConfigError: generation service: delays must be integers with 0 <= minDelayMs <= maxDelayMs, got 10..5]`,
    );
    expect(() => new GenerationService({ maxJobs: 0 })).toThrow(/maxJobs/);
  });
});
