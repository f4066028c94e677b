/**
 * The pipeline runner: one job's steps in order (extract or reuse, account
 * and slug, download, validate, strategies, thumbnail, complete), progress
 * through a callback, and an outcome that is always a zod-checked result or
 * a coded failure, never a thrown error and never a partial file left behind.
 */
import { randomUUID } from 'node:crypto';
import { StewardError } from '../../errors.js';
import { rm } from 'node:fs/promises';
import type { DownloadedFile } from './download.js';
import { InvalidMediaError, InvalidMediaJobError, MediaError, redactUrl } from './errors.js';
import { jobLog } from './events.js';
import { extractWithTimeout, pickCandidate } from './extract.js';
import { MediaAcquirer } from './acquire.js';
import {
  MediaJobOutcomeSchema,
  MediaJobPayloadSchema,
  type Extraction,
  type MediaJobFailure,
  type MediaJobOutcome,
  type MediaJobPayload,
  type MediaJobResult,
} from './messages.js';
import { resolveMediaOptions, type MediaPipelineOptions } from './options.js';
import { ensureDirUnder, mediaPaths } from './safe-path.js';
import { abortReason } from './safe-url.js';
import { isReusable } from './signed-url.js';
import type { ThumbnailOutcome } from './thumbnail.js';

/**
 * What the caller (a queue's handler) gives one run: cancel, progress (0..100)
 * and liveness. A `TaskChannel`'s `progress` and `heartbeat` fit as they are.
 *
 * @example
 * ```ts
 * declare const job: JobContext; // a queue handler's context
 * const pipeline = createMediaPipeline({ downloadsDir: '/srv/downloads' });
 * await pipeline.run({ jobId: job.jobId, postUrl: 'https://video.example/p/1' }, { signal: job.signal, progress: (pct) => job.progress(pct), heartbeat: () => job.heartbeat() });
 * ```
 */
export interface MediaJobContext {
  readonly signal?: AbortSignal;
  readonly progress?: (pct: number) => unknown;
  readonly heartbeat?: () => unknown;
  /** The queue's attempt id, carried by every event of this run. */
  readonly attemptId?: string;
}

/**
 * A configured pipeline.
 *
 * @example
 * ```ts
 * const pipeline = createMediaPipeline({ downloadsDir: '/srv/downloads' });
 * const outcome = await pipeline.run({ jobId: 'job-1', postUrl: 'https://host/p/1' });
 * if (outcome.status === 'completed') console.log(outcome.outputPath);
 * ```
 */
export interface MediaPipeline {
  /** Runs one job; resolves with its outcome, never rejects. */
  run(payload: unknown, context?: MediaJobContext): Promise<MediaJobOutcome>;
  /** Same, for a queue handler: resolves with the result, rejects with the coded {@link MediaJobFailedError}. */
  handle(payload: unknown, context?: MediaJobContext): Promise<MediaJobResult>;
}

/**
 * The error {@link MediaPipeline.handle} rejects with: `code`, `retryable`,
 * and the failure (with `previous`, to pass to the next attempt).
 *
 * @example
 * ```ts
 * const failureOf = (err: unknown) => (err instanceof MediaJobFailedError && !err.retryable ? err.failure : undefined);
 * ```
 */
export class MediaJobFailedError extends StewardError {
  override readonly name = 'MediaJobFailedError';
  /** The failure's own code (`ERR_MEDIA_HTTP_CLIENT`, `ERR_MEDIA_HTTP_SERVER`, ...), so a queue's never-retry list can name it. */
  readonly code: string;
  readonly retryable: boolean;
  constructor(readonly failure: MediaJobFailure) {
    super(failure.message);
    this.code = failure.code;
    this.retryable = failure.retryable;
  }
}

/**
 * Builds a pipeline from options; see {@link MediaPipelineOptions} for the injectable steps.
 *
 * @example
 * ```ts
 * const cookieHeaders: Record<string, string> = { vimeo: 'sid=abc' };
 * const pipeline = createMediaPipeline({ downloadsDir: '/srv/downloads', steps: { cookieSource: ({ platform }) => cookieHeaders[platform] } });
 * ```
 */
export function createMediaPipeline(options: MediaPipelineOptions): MediaPipeline {
  const run = (payload: unknown, context: MediaJobContext = {}) => runMediaJob(payload, context, options);
  return {
    run,
    async handle(payload, context) {
      const outcome = await run(payload, context);
      if (outcome.status === 'failed') throw new MediaJobFailedError(outcome);
      return outcome;
    },
  };
}

/**
 * Runs one media job.
 *
 * @example
 * ```ts
 * const outcome = await runMediaJob(
 *   { jobId: 'j1', postUrl: 'https://video.example/p/1' },
 *   { progress: (pct) => console.log(`${pct}%`) },
 *   { downloadsDir: '/srv/downloads' },
 * );
 * ```
 */
export async function runMediaJob(payload: unknown, context: MediaJobContext, options: MediaPipelineOptions): Promise<MediaJobOutcome> {
  const parsed = MediaJobPayloadSchema.safeParse(payload);
  const raw = (payload ?? {}) as { jobId?: unknown; traceId?: unknown };
  const jobId = typeof raw.jobId === 'string' ? raw.jobId : '(unknown)';
  const traceId = typeof raw.traceId === 'string' ? raw.traceId : randomUUID();
  if (!parsed.success) {
    const error = new InvalidMediaJobError(`media job payload is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return failure(jobId, traceId, error, undefined);
  }
  return new MediaJobRun(parsed.data, traceId, context, options).run();
}

function failure(jobId: string, traceId: string, error: unknown, previous: MediaJobFailure['previous']): MediaJobFailure {
  const coded = error instanceof MediaError || (error instanceof Error && typeof (error as { code?: unknown }).code === 'string');
  return {
    status: 'failed',
    jobId,
    traceId,
    code: coded ? (error as { code: string }).code : 'ERR_MEDIA_FAILED',
    message: (error instanceof Error && error.message) || String(error) || 'failed',
    retryable: error instanceof MediaError ? error.retryable : false,
    ...(previous ? { previous } : {}),
  };
}

/** One run's state. */
class MediaJobRun {
  private readonly options;
  private readonly log;
  private readonly signal: AbortSignal;
  private readonly written = new Set<string>();
  private lastPct = -1;
  private lastBeat = 0;
  private chosen: { url: string; extraction: Extraction } | undefined;
  /** Settles (never rejects) once the thumbnail, fetched beside the download, is written or given up. */
  private thumbnailDone: Promise<ThumbnailOutcome | undefined> = Promise.resolve(undefined);

  constructor(
    private readonly payload: MediaJobPayload,
    private readonly traceId: string,
    private readonly context: MediaJobContext,
    options: MediaPipelineOptions,
  ) {
    this.options = resolveMediaOptions(options);
    this.log = jobLog(this.options.log, payload.jobId, traceId, context.attemptId);
    this.signal = context.signal ?? new AbortController().signal;
  }

  async run(): Promise<MediaJobOutcome> {
    const { jobId } = this.payload;
    try {
      const result = await this.steps();
      this.report(100);
      this.log.info('complete', `completed: ${result.outputPath}`, { bytes: result.bytes, via: result.via });
      return MediaJobOutcomeSchema.parse(result);
    } catch (error) {
      const cause = this.signal.aborted ? abortReason(this.signal) : error;
      await this.thumbnailDone; // it may still be writing: remove its file only once it is there
      await Promise.all([...this.written].map((path) => rm(path, { force: true })));
      const outcome = failure(jobId, this.traceId, cause, this.chosen);
      this.log.error('failed', `${outcome.code}: ${outcome.message}`, { retryable: outcome.retryable });
      return outcome;
    }
  }

  private async steps(): Promise<MediaJobResult> {
    const { payload, options } = this;
    const { steps } = options;
    const previous = payload.previous;
    const reuse = previous !== undefined && isReusable(previous.url, steps.now(), options.expiryMarginMs);
    this.log.info('extract', reuse ? `reusing ${redactUrl(previous.url)}: its signature is still valid` : `extracting ${redactUrl(payload.postUrl)}`);
    const extraction = reuse ? previous.extraction : await extractWithTimeout(steps.extract, payload.postUrl, { signal: this.signal, timeoutMs: options.extractTimeoutMs });
    const { account, slug } = steps.deriveAccount(extraction, payload.postUrl);
    const paths = mediaPaths(options.downloadsDir, slug, payload.jobId);
    this.log.info('account', `account ${account.platform}/${account.handle}, slug ${paths.relative(paths.slugDir)}`);
    this.report(50);
    await ensureDirUnder(options.downloadsDir, paths.slugDir);
    // a previous incarnation killed mid-download left its .part behind: the download truncates it, a failure removes it
    this.written.add(paths.part).add(paths.output);

    // the thumbnail does not depend on the video: fetched beside the download, a job takes as long as its download
    const thumbnailDone = (this.thumbnailDone = steps
      .thumbnail({ urls: extraction.thumbnails, root: options.downloadsDir, slug, jobId: payload.jobId, timeoutMs: options.thumbnailTimeoutMs }, { signal: this.signal })
      .then(
        (outcome) => {
          if (outcome.path !== null) this.written.add(outcome.path);
          return outcome;
        },
        (error: unknown) => ({ path: null, reasons: [(error as Error).message] }) as ThumbnailOutcome,
      ));
    const acquirer = new MediaAcquirer(options, payload.postUrl, extraction, paths, this.signal, this.log, (received, total) => this.onBytes(received, total));
    const first = reuse ? previous.url : pickCandidate(extraction.candidates, acquirer.tried)?.url;
    if (first === undefined) throw new InvalidMediaError(`no candidate to download for ${redactUrl(payload.postUrl)}`);
    this.chosen = { url: first, extraction };
    let via: MediaJobResult['via'] = 'direct';
    let file: DownloadedFile | undefined = await acquirer.acquire(first);
    for (const strategy of file ? [] : steps.strategies) {
      this.log.info(`strategy:${strategy.name}`, 'trying');
      file = await strategy.run({
        jobId: payload.jobId,
        extraction: acquirer.extraction,
        url: first,
        tried: acquirer.tried,
        signal: this.signal,
        log: this.log,
        cookieSource: steps.cookieSource,
        attempt: (url, headers) => acquirer.acquire(url, headers),
        reExtract: () => acquirer.reExtract(),
      });
      if (file) {
        via = strategy.name;
        break;
      }
    }
    if (!file) throw new InvalidMediaError(`job ${payload.jobId}: no download from ${redactUrl(payload.postUrl)} was a valid video, after every strategy`);
    this.chosen = { url: file.url, extraction: acquirer.extraction };

    const thumbnail = await thumbnailDone;
    if (thumbnail.path === null && extraction.thumbnails.length > 0) this.log.warn('thumbnail', `no thumbnail: ${thumbnail.reasons.join('; ')}`);
    if (this.signal.aborted) throw abortReason(this.signal);
    return {
      status: 'completed',
      jobId: payload.jobId,
      traceId: this.traceId,
      outputPath: paths.relative(file.path),
      thumbnailPath: thumbnail.path === null ? null : paths.relative(thumbnail.path),
      account,
      slug: paths.relative(paths.slugDir),
      sourceUrl: redactUrl(file.url),
      bytes: file.bytes,
      mime: acquirer.mime,
      via,
      attempts: acquirer.downloads,
    };
  }

  /** Download progress maps to 50..95; heartbeats at most once a second while bytes flow. */
  private onBytes(received: number, total: number | undefined): void {
    if (total !== undefined && total > 0) this.report(50 + Math.floor((45 * Math.min(received, total)) / total));
    const now = this.options.steps.now();
    if (this.context.heartbeat && now - this.lastBeat >= 1000) {
      this.lastBeat = now;
      void Promise.resolve(this.context.heartbeat()).catch(() => {});
    }
  }

  private report(pct: number): void {
    if (pct <= this.lastPct || !this.context.progress) return;
    this.lastPct = pct;
    void Promise.resolve(this.context.progress(pct)).catch(() => {});
  }
}
