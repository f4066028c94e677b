/**
 * A consumer (or producer) in another process, speaking to a queue served by
 * {@link createQueueHttpHandler}: claim under a lease, heartbeat, progress,
 * complete or fail by attempt id. Answers are checked with the queue's
 * schemas; refusals come back as the queue's own errors
 * (`ERR_STALE_ATTEMPT`, `ERR_INVALID_MESSAGE`, `ERR_NOT_FOUND`, `ERR_INVALID_STATE`).
 */
import { z } from 'zod';
import { InvalidMessageError, InvalidStateError, NotFoundError, type Clock, type StewardError } from '../../../index.js';
import { httpJsonClient, type Refusal } from '../http-json-client.js';
import type { Claim } from './attempt-reports.js';
import { QueueUnavailableError, StaleAttemptError } from './errors.js';
import { JobSchema, type EnqueueOptions, type Job, type JobError } from './schemas.js';

/**
 * A queue client over HTTP.
 *
 * @example
 * ```ts
 * declare function render(payload: unknown): Promise<string>;
 * const consumer = httpQueueConsumer('http://127.0.0.1:8080/queues/media');
 * const claim = await consumer.claim({ consumer: 'gpu-box-1' });
 * if (claim) await consumer.complete(claim.job.id, claim.attemptId, await render(claim.job.payload));
 * ```
 */
export interface QueueConsumer {
  enqueue(payload: unknown, options?: EnqueueOptions): Promise<Job>;
  get(jobId: string): Promise<Job>;
  /** The next ready job under a lease, or `null` if none is ready. */
  claim(request?: { readonly consumer?: string; readonly leaseMs?: number }): Promise<Claim | null>;
  heartbeat(jobId: string, attemptId: string): Promise<{ leaseExpiresAt: number | null }>;
  progress(jobId: string, attemptId: string, pct: number): Promise<void>;
  complete(jobId: string, attemptId: string, result?: unknown): Promise<Job>;
  fail(jobId: string, attemptId: string, error: JobError, retry?: boolean): Promise<Job>;
}

const ClaimSchema = z.object({ job: JobSchema, attemptId: z.string(), leaseExpiresAt: z.number() });

/**
 * A {@link QueueConsumer} for `baseUrl` (the handler's base path included).
 *
 * @example
 * ```ts
 * const port = 8080;
 * const consumer = httpQueueConsumer(`http://127.0.0.1:${port}/queues/media`, { timeoutMs: 2_000 });
 * ```
 */
export function httpQueueConsumer(baseUrl: string, options: { readonly timeoutMs?: number; readonly clock?: Clock } = {}): QueueConsumer {
  const http = httpJsonClient(baseUrl, { ...options, service: 'queue', unavailable: QueueUnavailableError, refused: queueError });
  const job = (path: string) => `/jobs/${encodeURIComponent(path)}`;
  const answer = http.callForBody.bind(http);

  return {
    enqueue: (payload, enqueueOptions) => answer('POST', '/jobs', JobSchema, { payload, ...(enqueueOptions ? { options: enqueueOptions } : {}) }),
    get: (jobId) => answer('GET', job(jobId), JobSchema),
    claim: (request = {}) => http.call('POST', '/claim', ClaimSchema, request),
    heartbeat: (jobId, attemptId) => answer('POST', `${job(jobId)}/heartbeat`, z.object({ leaseExpiresAt: z.number().nullable() }), { attemptId }),
    progress: async (jobId, attemptId, pct) => void (await answer('POST', `${job(jobId)}/progress`, z.object({}), { attemptId, pct })),
    complete: (jobId, attemptId, result) => answer('POST', `${job(jobId)}/complete`, JobSchema, { attemptId, ...(result === undefined ? {} : { result }) }),
    fail: (jobId, attemptId, error, retry) => answer('POST', `${job(jobId)}/fail`, JobSchema, { attemptId, error, ...(retry === undefined ? {} : { retry }) }),
  };
}

/** The queue's own error for a refusal it knows. */
function queueError({ code, message, issues }: Refusal): StewardError | undefined {
  switch (code) {
    case 'ERR_STALE_ATTEMPT':
      return new StaleAttemptError(message);
    case 'ERR_INVALID_MESSAGE':
      return new InvalidMessageError(message, issues ?? []);
    case 'ERR_NOT_FOUND':
      return new NotFoundError(message);
    case 'ERR_INVALID_STATE':
      return new InvalidStateError(message);
    default:
      return undefined;
  }
}
