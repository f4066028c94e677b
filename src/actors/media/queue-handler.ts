/**
 * The media pipeline as a queue job handler, in the generic shape a job
 * queue calls: `(payload, { signal, progress, heartbeat, attemptId })`,
 * resolving with the result or rejecting with a coded, `retryable` error.
 * It knows no queue: whichever queue binds it decides retries from
 * `error.retryable` (and can name `error.code` in a never-retry list).
 *
 * Between attempts of one job, the handler remembers the failed attempt's
 * extraction, so the next attempt reuses a signed URL while its signature
 * is still valid instead of extracting again. That memory lives in this
 * process only (bounded); a queue that persists payloads can carry the same
 * data itself as `payload.previous` (`error.failure.previous`), which wins.
 */
import { MediaJobFailedError, type MediaPipeline } from './pipeline.js';
import type { MediaJobResult, PreviousExtraction } from './messages.js';

/** What a queue gives one attempt of a job. */
export interface MediaQueueJobContext {
  /** Aborted when the job is cancelled or its lease is lost. */
  readonly signal: AbortSignal;
  /** Progress 0..100. */
  readonly progress: (pct: number) => unknown;
  /** Liveness while bytes flow (at most once a second). */
  readonly heartbeat: () => unknown;
  /** This attempt's id (a fencing token or attempt number); every event of the attempt carries it. */
  readonly attemptId: string | number;
}

/**
 * A job handler in the generic queue shape.
 *
 * @example
 * ```ts
 * const pipeline = createMediaPipeline({ downloadsDir: '/srv/downloads' });
 * const handler: MediaQueueHandler = mediaQueueHandler(pipeline);
 * await handler({ jobId: 'job-1', postUrl: 'https://video.example/p/1' }, { signal, progress: () => {}, heartbeat: () => {}, attemptId: 3 });
 * ```
 */
export type MediaQueueHandler = (payload: unknown, context: MediaQueueJobContext) => Promise<MediaJobResult>;

/** Options of {@link mediaQueueHandler}. */
export interface MediaQueueHandlerOptions {
  /** How many jobs' last extraction to remember for their next attempt. Default 1,000. */
  readonly rememberJobs?: number;
}

/**
 * Adapts a pipeline to the queue handler shape: resolves with the
 * {@link MediaJobResult}, rejects with {@link MediaJobFailedError}
 * (`code`, `retryable`, `failure`).
 *
 * @example
 * ```ts
 * const handle = mediaQueueHandler(createMediaPipeline({ downloadsDir: '/var/lib/app/media', steps: poolSteps(pool) }));
 * // bound by the lead to a queue, e.g. defineQueue({ name: 'media', handler: handle, ... })
 * ```
 */
export function mediaQueueHandler(pipeline: MediaPipeline, options: MediaQueueHandlerOptions = {}): MediaQueueHandler {
  const limit = options.rememberJobs ?? 1000;
  const previousByJob = new Map<string, PreviousExtraction>();
  return async (payload, { signal, progress, heartbeat, attemptId }) => {
    const jobId = jobIdOf(payload);
    const remembered = jobId === undefined ? undefined : previousByJob.get(jobId);
    const withPrevious = remembered !== undefined && !hasPrevious(payload) ? { ...(payload as object), previous: remembered } : payload;
    try {
      const result = await pipeline.handle(withPrevious, { signal, progress, heartbeat, attemptId: String(attemptId) });
      if (jobId !== undefined) previousByJob.delete(jobId);
      return result;
    } catch (error) {
      if (jobId !== undefined && error instanceof MediaJobFailedError) remember(previousByJob, limit, jobId, error.failure.previous);
      throw error;
    }
  };
}

function remember(map: Map<string, PreviousExtraction>, limit: number, jobId: string, previous: PreviousExtraction | undefined): void {
  map.delete(jobId);
  if (previous === undefined || limit <= 0) return;
  map.set(jobId, previous);
  // a Map iterates in insertion order: the first key is the oldest
  if (map.size > limit) map.delete(map.keys().next().value as string);
}

function jobIdOf(payload: unknown): string | undefined {
  const jobId = (payload as { jobId?: unknown } | null | undefined)?.jobId;
  return typeof jobId === 'string' ? jobId : undefined;
}

function hasPrevious(payload: unknown): boolean {
  return (payload as { previous?: unknown }).previous !== undefined;
}
