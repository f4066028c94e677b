/**
 * A stand-in for an external generation service, for tests and the demo: a
 * real HTTP server on 127.0.0.1 that accepts jobs, finishes them after a
 * delay, fails some on purpose, answers status queries and calls webhooks —
 * sometimes twice, sometimes not at all. Its delays run on an injected clock
 * (the wall clock by default); its randomness comes from a seed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TimerHandle } from '../../src/index.js';
import { SeededRandom } from '../../src/index.js';
import { ServiceClosedError } from '../../src/actors/cook/index.js';
import { toIssues } from '../../src/issues.js';
import { errorBody, listenLocal, MAX_BODY_BYTES, readJsonBody, sendJson } from '../../src/actors/cook/service/http-server.js';
import { drawFate, resolveOptions, type GenerationServiceOptions, type JobFate, type ResolvedOptions } from './job-fate.js';
import { deliverWebhook } from './webhook-delivery.js';
import { SubmitRequestSchema, type JobStatus, type SubmitRequest, type WebhookBody } from '../../src/actors/cook/index.js';

export type { GenerationServiceOptions } from './job-fate.js';

/** Counters of what the service did, for tests and the demo's summary. */
export interface GenerationServiceStats {
  /** Valid `POST /jobs` requests, including refused and repeated ones. */
  submissions: number;
  jobsCreated: number;
  /** Submissions answered with an already existing job (idempotent hits). */
  resubmissions: number;
  submitFailuresInjected: number;
  acksLost: number;
  rejectedFull: number;
  syncCompletions: number;
  jobsSucceeded: number;
  jobsFailed: number;
  queries: number;
  /** Webhook delivery attempts, duplicates included. */
  webhooksSent: number;
  webhooksDelivered: number;
  /** Attempts that failed: network error, timeout or non-2xx answer. */
  webhookErrors: number;
  /** Completions whose webhook was sent twice. */
  webhooksDuplicated: number;
  /** Completions whose webhook was never sent. */
  webhooksDropped: number;
}

interface Job {
  readonly request: SubmitRequest;
  readonly fate: JobFate;
  webhookUrl: string | undefined;
  status: JobStatus['status'];
  result?: NonNullable<JobStatus['result']>;
  error?: string;
  timer: TimerHandle | undefined;
  /** Final and every webhook attempt over (or dropped). */
  settled: boolean;
}

type Waiter = { resolve(): void; reject(err: Error): void };

/**
 * The local generation service. `POST /jobs` takes a {@link SubmitRequest}
 * (idempotent on `jobId`) and answers 202 `{ jobId, status: 'queued' }`, or
 * 200 with the existing job; `GET /jobs/:id` answers a {@link JobStatus} or 404.
 *
 * @example
 * ```ts
 * const service = new GenerationService({ seed: 7, webhookDropRate: 0.1, webhookDuplicateRate: 0.2 });
 * const { url } = await service.start();
 * const submitter = createHttpSubmitter({ baseUrl: url });
 * // … cook …
 * console.log(service.stats());
 * await service.close();
 * ```
 */
export class GenerationService {
  readonly #options: ResolvedOptions;
  readonly #random: SeededRandom;
  readonly #jobs = new Map<string, Job>();
  readonly #waiters = new Map<string, Waiter[]>();
  #idleWaiters: Waiter[] = [];
  #unsettled = 0;
  readonly #stopWebhooks = new AbortController();
  readonly #stats: GenerationServiceStats = {
    submissions: 0, jobsCreated: 0, resubmissions: 0, submitFailuresInjected: 0, acksLost: 0, rejectedFull: 0,
    syncCompletions: 0, jobsSucceeded: 0, jobsFailed: 0, queries: 0, webhooksSent: 0, webhooksDelivered: 0,
    webhookErrors: 0, webhooksDuplicated: 0, webhooksDropped: 0,
  };
  #started: Promise<{ url: string }> | undefined;
  #closeServer: (() => Promise<void>) | undefined;
  #closed = false;

  constructor(options: GenerationServiceOptions = {}) {
    this.#options = resolveOptions(options);
    this.#random = new SeededRandom(this.#options.seed);
  }

  /** Starts listening on 127.0.0.1 on an ephemeral port; calling it again returns the same URL. */
  start(): Promise<{ url: string }> {
    if (this.#closed) return Promise.reject(new ServiceClosedError('generation service is closed; create a new one'));
    this.#started ??= listenLocal((req, res) => this.#serve(req, res)).then((server) => {
      this.#closeServer = server.close;
      return { url: `http://127.0.0.1:${server.port}` };
    });
    return this.#started;
  }

  /** Stops listening, destroys every socket, cancels every timer and webhook, and rejects pending waits. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#jobs.values()) if (job.timer) this.#options.clock.clearTimer(job.timer);
    this.#stopWebhooks.abort(new ServiceClosedError('generation service closed'));
    const closed = new ServiceClosedError('generation service closed before the wait was over');
    for (const waiters of this.#waiters.values()) for (const waiter of waiters) waiter.reject(closed);
    for (const waiter of this.#idleWaiters) waiter.reject(closed);
    this.#waiters.clear();
    this.#idleWaiters = [];
    await this.#started?.catch(() => undefined);
    await this.#closeServer?.();
  }

  /** A snapshot of the counters. */
  stats(): GenerationServiceStats {
    return { ...this.#stats };
  }

  /** The job as `GET /jobs/:id` would report it, or `undefined`. */
  job(jobId: string): JobStatus | undefined {
    const job = this.#jobs.get(jobId);
    return job && view(job);
  }

  /**
   * Resolves once the job is final and its webhooks are sent or dropped;
   * `undefined` for an unknown job. Rejects with `ERR_SERVICE_CLOSED` on close.
   */
  async settled(jobId: string): Promise<JobStatus | undefined> {
    const job = this.#jobs.get(jobId);
    if (!job) return undefined;
    if (!job.settled) await this.#wait((waiter) => this.#waiters.set(jobId, [...(this.#waiters.get(jobId) ?? []), waiter]));
    return view(job);
  }

  /** Resolves once every job so far is settled. Rejects with `ERR_SERVICE_CLOSED` on close. */
  async idle(): Promise<void> {
    if (this.#unsettled > 0) await this.#wait((waiter) => this.#idleWaiters.push(waiter));
  }

  #wait(register: (waiter: Waiter) => void): Promise<void> {
    if (this.#closed) return Promise.reject(new ServiceClosedError('generation service is closed'));
    return new Promise((resolve, reject) => register({ resolve, reject }));
  }

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (this.#closed) return void sendJson(res, 503, errorBody('ERR_SERVICE_CLOSED', 'service is closing'));
    if (pathname === '/jobs' && req.method === 'POST') {
      this.#submit(req, res).catch(() => res.destroy());
      return;
    }
    if (pathname.startsWith('/jobs/') && req.method === 'GET') return this.#query(pathname.slice('/jobs/'.length), res);
    req.resume();
    if (pathname === '/jobs' || pathname.startsWith('/jobs/')) {
      return sendJson(res, 405, errorBody('ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${pathname}`));
    }
    sendJson(res, 404, errorBody('ERR_NOT_FOUND', `no route for ${pathname}`));
  }

  async #submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req);
    if (!body.ok) {
      if (body.reason === 'aborted') return void res.destroy();
      if (body.reason === 'too-large') {
        return sendJson(res, 413, errorBody('ERR_PAYLOAD_TOO_LARGE', `submissions are at most ${MAX_BODY_BYTES} bytes`), { connection: 'close' });
      }
      return sendJson(res, 400, errorBody('ERR_INVALID_REQUEST', `request body is not JSON: ${body.message}`));
    }
    // close() may have run while the body was read; a job created now would outlive the service.
    if (this.#closed) return sendJson(res, 503, errorBody('ERR_SERVICE_CLOSED', 'service is closing'));
    const parsed = SubmitRequestSchema.safeParse(body.value);
    if (!parsed.success) {
      return sendJson(res, 400, errorBody('ERR_INVALID_REQUEST', 'invalid submission', toIssues(parsed.error.issues)));
    }
    const request = parsed.data;
    const stats = this.#stats;
    stats.submissions++;
    if (this.#random.next() < this.#options.submitFailureRate) {
      stats.submitFailuresInjected++;
      const status = this.#random.next() < 0.5 ? 500 : 503;
      return sendJson(res, status, errorBody('ERR_INJECTED_FAILURE', `submission of job '${request.jobId}' failed on purpose`));
    }
    const existing = this.#jobs.get(request.jobId);
    if (existing) return this.#resubmit(existing, request, res);
    if (this.#jobs.size >= this.#options.maxJobs) {
      stats.rejectedFull++;
      return sendJson(res, 503, errorBody('ERR_SERVICE_FULL', `service holds ${this.#options.maxJobs} jobs already`));
    }
    const job: Job = {
      request,
      fate: drawFate(this.#options, request.jobId),
      webhookUrl: request.webhookUrl,
      status: 'queued',
      timer: undefined,
      settled: false,
    };
    this.#jobs.set(request.jobId, job);
    this.#unsettled++;
    stats.jobsCreated++;
    if (job.fate.sync) {
      stats.syncCompletions++;
      this.#finish(job);
    } else {
      this.#schedule(job);
    }
    if (this.#random.next() < this.#options.ackLossRate) {
      stats.acksLost++;
      return void res.destroy();
    }
    sendJson(res, job.fate.sync ? 200 : 202, view(job));
  }

  #resubmit(job: Job, request: SubmitRequest, res: ServerResponse): void {
    const first = job.request;
    if (first.collectionId !== request.collectionId || first.userId !== request.userId || first.pieceIndex !== request.pieceIndex) {
      return sendJson(res, 409, errorBody('ERR_JOB_CONFLICT', `job '${request.jobId}' exists for another piece`));
    }
    this.#stats.resubmissions++;
    // A resubmission after a restart carries the new webhook URL; an unfinished job reports there.
    if (!isFinal(job) && request.webhookUrl !== undefined) job.webhookUrl = request.webhookUrl;
    sendJson(res, 200, view(job));
  }

  #query(encodedId: string, res: ServerResponse): void {
    this.#stats.queries++;
    let jobId: string;
    try {
      jobId = decodeURIComponent(encodedId);
    } catch {
      return sendJson(res, 400, errorBody('ERR_INVALID_REQUEST', 'job id is not valid percent-encoding'));
    }
    const job = this.#jobs.get(jobId);
    if (!job) return sendJson(res, 404, errorBody('ERR_JOB_NOT_FOUND', `no job '${jobId}'`));
    sendJson(res, 200, view(job));
  }

  /** Queued for half the delay, running for the rest, so pollers see both states. */
  #schedule(job: Job): void {
    const queuedMs = Math.floor(job.fate.delayMs / 2);
    const { clock } = this.#options;
    job.timer = clock.setTimer(queuedMs, () => {
      job.status = 'running';
      job.timer = clock.setTimer(job.fate.delayMs - queuedMs, () => this.#finish(job));
    });
  }

  #finish(job: Job): void {
    job.timer = undefined;
    const { jobId, collectionId, pieceIndex } = job.request;
    if (job.fate.fails) {
      job.status = 'failed';
      job.error = `generation of piece ${pieceIndex} (job '${jobId}') failed on purpose`;
      this.#stats.jobsFailed++;
    } else {
      job.status = 'succeeded';
      job.result = { pieceIndex, uri: `gen://${encodeURIComponent(collectionId)}/${pieceIndex}/${encodeURIComponent(jobId)}` };
      this.#stats.jobsSucceeded++;
    }
    void this.#notify(job).finally(() => this.#settle(job));
  }

  async #notify(job: Job): Promise<void> {
    if (job.webhookUrl === undefined) return;
    if (job.fate.dropWebhook) {
      this.#stats.webhooksDropped++;
      return;
    }
    const body: WebhookBody = job.result
      ? { jobId: job.request.jobId, success: true, result: job.result }
      : { jobId: job.request.jobId, success: false, error: job.error ?? 'failed' };
    await this.#deliver(job.webhookUrl, body);
    if (job.fate.duplicateWebhook && !this.#closed) {
      this.#stats.webhooksDuplicated++;
      await this.#deliver(job.webhookUrl, body);
    }
  }

  async #deliver(url: string, body: WebhookBody): Promise<void> {
    this.#stats.webhooksSent++;
    const outcome = await deliverWebhook(url, body, this.#stopWebhooks.signal, this.#options.webhookTimeoutMs, this.#options.webhookSecret, this.#options.clock.now());
    if (outcome === 'delivered') this.#stats.webhooksDelivered++;
    else this.#stats.webhookErrors++;
  }

  #settle(job: Job): void {
    if (this.#closed) return;
    job.settled = true;
    this.#unsettled--;
    const waiters = this.#waiters.get(job.request.jobId) ?? [];
    this.#waiters.delete(job.request.jobId);
    for (const waiter of waiters) waiter.resolve();
    if (this.#unsettled === 0) {
      const idle = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const waiter of idle) waiter.resolve();
    }
  }
}

function isFinal(job: Job): boolean {
  return job.status === 'succeeded' || job.status === 'failed';
}

function view(job: Job): JobStatus {
  return {
    jobId: job.request.jobId,
    status: job.status,
    ...(job.result === undefined ? {} : { result: job.result }),
    ...(job.error === undefined ? {} : { error: job.error }),
  };
}
