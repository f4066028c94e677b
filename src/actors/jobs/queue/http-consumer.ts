/**
 * A consumer (or producer) in another process, speaking to a queue served by
 * {@link createQueueHttpHandler}: claim under a lease, heartbeat, progress,
 * complete or fail by attempt id. Answers are checked with the queue's
 * schemas; refusals come back as the queue's own errors
 * (`ERR_STALE_ATTEMPT`, `ERR_INVALID_MESSAGE`, `ERR_NOT_FOUND`, `ERR_INVALID_STATE`).
 */
import { z } from 'zod';
import { InvalidMessageError, InvalidStateError, NotFoundError, realClock, type Clock, type StewardError } from '../../../index.js';
import type { Claim } from './attempt-reports.js';
import { QueueUnavailableError, StaleAttemptError } from './errors.js';
import { JobSchema, type EnqueueOptions, type Job, type JobError } from './schemas.js';

/**
 * A queue client over HTTP.
 *
 * @example
 * ```ts
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

const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string() })).optional(),
  }),
});
const ClaimSchema = z.object({ job: JobSchema, attemptId: z.string(), leaseExpiresAt: z.number() });

/**
 * A {@link QueueConsumer} for `baseUrl` (the handler's base path included).
 *
 * @example
 * ```ts
 * const consumer = httpQueueConsumer(`http://127.0.0.1:${port}/queues/media`, { timeoutMs: 2_000 });
 * ```
 */
export function httpQueueConsumer(baseUrl: string, options: { readonly timeoutMs?: number; readonly clock?: Clock } = {}): QueueConsumer {
  const base = baseUrl.replace(/\/+$/, '');
  const clock = options.clock ?? realClock;
  const timeoutMs = options.timeoutMs ?? 5_000;

  async function call<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T | null> {
    const controller = new AbortController();
    const timer = clock.setTimer(timeoutMs, () => controller.abort());
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        signal: controller.signal,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      text = await response.text();
    } catch (error) {
      throw new QueueUnavailableError(`queue at ${base} did not answer ${method} ${path}${controller.signal.aborted ? ` within ${timeoutMs} ms` : ''}`, { cause: error });
    } finally {
      clock.clearTimer(timer);
    }
    if (response.status === 204) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new QueueUnavailableError(`queue answered ${method} ${path} with ${response.status} and a body that is not JSON`, { cause: error });
    }
    if (!response.ok) throw errorFrom(response.status, json, `${method} ${path}`);
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    throw new QueueUnavailableError(`queue answered ${method} ${path} with an unexpected body`, { cause: parsed.error });
  }
  const job = (path: string) => `/jobs/${encodeURIComponent(path)}`;
  const some = async <T>(value: Promise<T | null>): Promise<T> => (await value) as T;

  return {
    enqueue: (payload, enqueueOptions) => some(call('POST', '/jobs', JobSchema, { payload, ...(enqueueOptions ? { options: enqueueOptions } : {}) })),
    get: (jobId) => some(call('GET', job(jobId), JobSchema)),
    claim: (request = {}) => call('POST', '/claim', ClaimSchema, request),
    heartbeat: (jobId, attemptId) => some(call('POST', `${job(jobId)}/heartbeat`, z.object({ leaseExpiresAt: z.number().nullable() }), { attemptId })),
    progress: async (jobId, attemptId, pct) => void (await call('POST', `${job(jobId)}/progress`, z.object({}), { attemptId, pct })),
    complete: (jobId, attemptId, result) => some(call('POST', `${job(jobId)}/complete`, JobSchema, { attemptId, ...(result === undefined ? {} : { result }) })),
    fail: (jobId, attemptId, error, retry) => some(call('POST', `${job(jobId)}/fail`, JobSchema, { attemptId, error, ...(retry === undefined ? {} : { retry }) })),
  };
}

function errorFrom(status: number, json: unknown, what: string): StewardError {
  const parsed = ErrorBodySchema.safeParse(json);
  if (!parsed.success) return new QueueUnavailableError(`queue answered ${what} with ${status}`);
  const { code, message, issues } = parsed.data.error;
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
      return new QueueUnavailableError(`queue answered ${what} with ${status} ${code}: ${message}`);
  }
}
