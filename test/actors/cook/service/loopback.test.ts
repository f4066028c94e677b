import { GenerationService } from '../../../../demo/generation-service/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpSubmitter,
  SubmitFailedError,
  type JobStatus,
  type Submitter,
} from '../../../../src/actors/cook/service/index.js';
import { job, startCollector, TEST_WEBHOOK_SECRET, type Closable } from './helpers.js';

/** Submits until accepted or until a query shows the job exists (a lost acknowledgement); bounded. */
async function submitUntilKnown(submitter: Submitter, request: ReturnType<typeof job>, maxAttempts = 20): Promise<number> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    try {
      await submitter.submit(request);
      return attempt;
    } catch (err) {
      if (!(err instanceof SubmitFailedError)) throw err;
      if (await submitter.query(request.jobId)) return attempt;
    }
  }
  throw new Error(`job '${request.jobId}' not accepted after ${maxAttempts} attempts`);
}

describe('all parts over loopback, every fault switched on', () => {
  const open: Closable[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((closable) => closable.close()));
  });

  it('every job completion is learned by webhook or, when dropped, by query; counters add up', async () => {
    const service = new GenerationService({
      webhookSecret: TEST_WEBHOOK_SECRET,
      seed: 2024,
      submitFailureRate: 0.2,
      ackLossRate: 0.1,
      syncCompletionRate: 0.1,
      jobFailureRate: 0.2,
      webhookDropRate: 0.3,
      webhookDuplicateRate: 0.3,
    });
    open.push(service);
    const hook = await startCollector();
    open.push(hook);
    const submitter = createHttpSubmitter({ baseUrl: (await service.start()).url, timeoutMs: 5_000 });

    const ids = Array.from({ length: 100 }, (_, i) => `job-${i}`);
    await Promise.all(ids.map((id, i) => submitUntilKnown(submitter, job(id, { pieceIndex: i, webhookUrl: hook.url }))));
    await service.idle();

    const learned = new Map<string, JobStatus | { jobId: string; success: boolean }>();
    for (const completion of hook.received) learned.set(completion.jobId, completion);
    const missing = ids.filter((id) => !learned.has(id));
    for (const id of missing) {
      const status = await submitter.query(id);
      expect(status?.status).toMatch(/^(succeeded|failed)$/);
      learned.set(id, status as JobStatus);
    }
    expect(learned.size).toBe(100);

    const stats = service.stats();
    expect(stats.jobsCreated).toBe(100);
    expect(stats.jobsSucceeded + stats.jobsFailed).toBe(100);
    expect(missing).toHaveLength(stats.webhooksDropped);
    expect(hook.received).toHaveLength(stats.webhooksSent);
    expect(stats.webhooksSent).toBe(100 - stats.webhooksDropped + stats.webhooksDuplicated);
    expect(stats.webhookErrors).toBe(0);
    for (const counter of ['submitFailuresInjected', 'acksLost', 'syncCompletions', 'jobsFailed', 'webhooksDropped', 'webhooksDuplicated'] as const) {
      expect(stats[counter], counter).toBeGreaterThan(0);
    }
  });
});
