/**
 * The media pipeline bound to a job queue: a `defineQueue` whose handler is
 * the pipeline (`mediaQueueHandler`), so every post is a durable job with
 * the queue's claims, attempt fences, retries and recovery. It lives with the
 * demo because domains never import each other (src/actors/media knows no
 * queue, src/actors/jobs no media): an application composes the two the same
 * way.
 *
 * The queue names the job (its id is the file name under
 * `downloads/<slug>/`), the payload is only the post. A failure the pipeline
 * calls final for every instance of its code (an unsafe URL or path, a body
 * over the cap, junk after every strategy, a bad payload, a cancel) fails
 * the job at once; the others (5xx, transport, truncation, timeouts, a 4xx
 * that a fresh extraction may clear) are retried with the queue's backoff.
 */
import { z } from 'zod';
import { defineQueue, type Queue, type QueueEventBus, type RetryOptions } from '../src/actors/jobs/index.js';
import { createMediaPipeline, mediaQueueHandler, type MediaJobResult, type MediaPipelineOptions } from '../src/actors/media/index.js';

/** What a media job carries: the post, and optionally a trace id for its log lines. */
export const MediaQueuePayloadSchema = z.strictObject({
  postUrl: z.url({ protocol: /^https?$/, error: 'give the post as an http(s) URL' }).max(8192),
  traceId: z.string().min(1).max(200).optional(),
});
export type MediaQueuePayload = z.infer<typeof MediaQueuePayloadSchema>;

/** Media failure codes that no later attempt can fix, whatever the instance. */
export const FINAL_MEDIA_CODES: readonly string[] = Object.freeze([
  'ERR_MEDIA_UNSAFE_URL',
  'ERR_MEDIA_UNSAFE_PATH',
  'ERR_MEDIA_TOO_LARGE',
  'ERR_MEDIA_INVALID',
  'ERR_MEDIA_CANCELLED',
  'ERR_INVALID_MESSAGE',
]);

/** Options of {@link defineMediaQueue}. */
export interface MediaQueueOptions {
  /** The queue's name. Default `media`. */
  readonly name?: string;
  /** The pipeline's configuration (downloads directory, limits, steps such as `poolSteps(pool)`). */
  readonly pipeline: MediaPipelineOptions;
  /** Jobs downloading at once. Default 4. */
  readonly concurrency?: number;
  /** The queue's retries; {@link FINAL_MEDIA_CODES} are always in `noRetryCodes`. */
  readonly retry?: RetryOptions;
  /** Bound on one attempt. Default 300,000 ms. */
  readonly timeoutMs?: number;
  readonly events?: QueueEventBus;
}

/**
 * Defines a queue whose jobs run the media pipeline.
 *
 * @example
 * ```ts
 * const media = defineMediaQueue({ pipeline: { downloadsDir: './data/downloads', steps: poolSteps(pool) }, concurrency: 4 });
 * const system = new ActorSystem({ persistence, reminders: { actors: [media.actor] } });
 * const job = await media.ref(system).ask('enqueue', { payload: { postUrl: 'https://host/post/1' }, options: { idempotencyKey: 'post-1' } });
 * media.events.on('completed', ({ jobId }) => console.log(`${jobId} downloaded`));
 * ```
 */
export function defineMediaQueue(options: MediaQueueOptions): Queue<typeof MediaQueuePayloadSchema> {
  const handle = mediaQueueHandler(createMediaPipeline(options.pipeline));
  return defineQueue({
    name: options.name ?? 'media',
    payload: MediaQueuePayloadSchema,
    concurrency: options.concurrency ?? 4,
    retry: { ...options.retry, noRetryCodes: [...FINAL_MEDIA_CODES, ...(options.retry?.noRetryCodes ?? [])] },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.events ? { events: options.events } : {}),
    handler: (payload, job): Promise<MediaJobResult> =>
      handle({ ...payload, jobId: job.jobId }, { signal: job.signal, progress: (pct) => job.progress(pct), heartbeat: () => job.heartbeat(), attemptId: job.attemptId }),
  });
}
