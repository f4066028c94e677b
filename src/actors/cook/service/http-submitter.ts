/**
 * The {@link Submitter} seam between a cook actor and a generation service,
 * and its real implementation over HTTP with global `fetch`. Every call is
 * bounded by a timeout, and every answer is validated before it is believed.
 */
import type { z } from 'zod';
import { InvalidConfigError, InvalidMessageError } from '../../../errors.js';
import { InvalidResponseError, QueryFailedError, SubmitFailedError } from './errors.js';
import { summarizeIssues, toIssues } from '../../../index.js';
import {
  JobStatusSchema,
  SubmitAcceptedSchema,
  SubmitRequestSchema,
  type JobStatus,
  type SubmitAccepted,
  type SubmitRequest,
} from './schemas.js';

export {
  JobStatusSchema,
  SubmitAcceptedSchema,
  SubmitRequestSchema,
  WebhookBodySchema,
  type JobStatus,
  type SubmitAccepted,
  type SubmitRequest,
  type WebhookBody,
} from './schemas.js';

/**
 * How a cook reaches a generation service. The cook actor takes any
 * `Submitter`, so tests and the simulator can inject an in-process fake.
 *
 * @example
 * ```ts
 * const fake: Submitter = {
 *   submit: async (job) => ({ jobId: job.jobId, status: 'queued' }),
 *   query: async () => undefined,
 * };
 * ```
 */
export interface Submitter {
  /** Submits one job; idempotent on `job.jobId`. Rejects with `ERR_SUBMIT_FAILED` or `ERR_INVALID_RESPONSE`. */
  submit(job: SubmitRequest): Promise<SubmitAccepted>;
  /** The job's status, or `undefined` if the service does not know it. Rejects with `ERR_QUERY_FAILED` or `ERR_INVALID_RESPONSE`. */
  query(jobId: string): Promise<JobStatus | undefined>;
}

/** Options of {@link createHttpSubmitter}. */
export interface HttpSubmitterOptions {
  /** The service's base URL, e.g. `http://127.0.0.1:4000`. */
  readonly baseUrl: string;
  /** Bound on each request, response body included (default 5000 ms). */
  readonly timeoutMs?: number;
}

/** The default bound on one request. */
export const DEFAULT_SUBMIT_TIMEOUT_MS = 5_000;

type Failure = typeof SubmitFailedError | typeof QueryFailedError;

/**
 * A {@link Submitter} over HTTP: `POST {baseUrl}/jobs` and `GET {baseUrl}/jobs/:id`.
 * A non-2xx answer, a network error or a timeout rejects with
 * `ERR_SUBMIT_FAILED` (`ERR_QUERY_FAILED` for queries) carrying the status and
 * cause; a 2xx answer that is not a valid protocol message rejects with
 * `ERR_INVALID_RESPONSE`. A query answered 404 resolves to `undefined`.
 *
 * @example
 * ```ts
 * const submitter = createHttpSubmitter({ baseUrl: 'http://127.0.0.1:4000', timeoutMs: 2_000 });
 * const accepted = await submitter.submit({ jobId: 'job-1', collectionId: 'col-1', userId: 'ann', pieceIndex: 0 });
 * const status = await submitter.query('job-1');
 * ```
 */
export function createHttpSubmitter(options: HttpSubmitterOptions): Submitter {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SUBMIT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidConfigError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  if (!URL.canParse(options.baseUrl) || !/^https?:$/.test(new URL(options.baseUrl).protocol)) {
    throw new InvalidConfigError(`baseUrl must be an http(s) URL, got '${options.baseUrl}'`);
  }
  const base = options.baseUrl.replace(/\/+$/, '');

  async function exchange(jobId: string, what: string, Failure: Failure, url: string, init: RequestInit) {
    try {
      // One signal bounds the headers and the body read alike.
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      return { status: response.status, ok: response.ok, text: await response.text() };
    } catch (err) {
      throw new Failure(`${what} of job '${jobId}' failed: ${describeFetchError(err, timeoutMs)}`, { jobId, cause: err });
    }
  }

  function rejectStatus(jobId: string, what: string, Failure: Failure, status: number, text: string): never {
    const code = errorCodeOf(text);
    throw new Failure(`${what} of job '${jobId}' failed: HTTP ${status}${code ? ` (${code})` : ''}`, { jobId, status });
  }

  return {
    async submit(job) {
      const request = SubmitRequestSchema.safeParse(job);
      if (!request.success) {
        const issues = toIssues(request.error.issues);
        throw new InvalidMessageError(`invalid submit request for job '${String(job?.jobId)}': ${summarizeIssues(issues)}`, issues, {
          cause: request.error,
        });
      }
      const { jobId } = request.data;
      const answer = await exchange(jobId, 'submit', SubmitFailedError, `${base}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request.data),
      });
      if (!answer.ok) rejectStatus(jobId, 'submit', SubmitFailedError, answer.status, answer.text);
      return parseAnswer(jobId, 'submit', SubmitAcceptedSchema, answer.status, answer.text);
    },

    async query(jobId) {
      const answer = await exchange(jobId, 'query', QueryFailedError, `${base}/jobs/${encodeURIComponent(jobId)}`, {
        method: 'GET',
      });
      if (answer.status === 404) return undefined;
      if (!answer.ok) rejectStatus(jobId, 'query', QueryFailedError, answer.status, answer.text);
      return parseAnswer(jobId, 'query', JobStatusSchema, answer.status, answer.text);
    },
  };
}

function parseAnswer<TSchema extends z.ZodType<JobStatus>>(
  jobId: string,
  what: string,
  schema: TSchema,
  status: number,
  text: string,
): z.infer<TSchema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const issues = [{ path: [], code: 'invalid_json', message: 'response body is not JSON' }];
    throw new InvalidResponseError(`${what} of job '${jobId}': HTTP ${status} answer is not JSON`, { jobId, status, issues, cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = toIssues(parsed.error.issues);
    throw new InvalidResponseError(`${what} of job '${jobId}': invalid answer: ${summarizeIssues(issues)}`, {
      jobId,
      status,
      issues,
      cause: parsed.error,
    });
  }
  // An answer about another job would make the cook count the wrong piece.
  if (parsed.data.jobId !== jobId) {
    const issues = [{ path: ['jobId'], code: 'custom', message: `expected '${jobId}', got '${parsed.data.jobId}'` }];
    throw new InvalidResponseError(`${what} of job '${jobId}': answer is about job '${parsed.data.jobId}'`, { jobId, status, issues });
  }
  return parsed.data;
}

/** The `error.code` of a JSON error envelope, if the body is one. */
function errorCodeOf(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' ? code.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

/** A short, stable reason: timeouts and socket error codes rather than undici's generic "fetch failed". */
function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return `network error (${cause.code})`;
  return `network error (${err instanceof Error ? err.message : String(err)})`;
}
