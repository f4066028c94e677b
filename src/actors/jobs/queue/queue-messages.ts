/**
 * The queue actor's messages: what producers and consumers send (enqueue,
 * claim, the four attempt reports, cancel, pause, resume, reads) and what
 * the queue sends itself (its reminder, its timers, shutdown).
 */
import { z } from 'zod';
import { reminderFiring } from '../../../index.js';
import {
  AttemptRefSchema,
  ClaimRequestSchema,
  CompleteRequestSchema,
  EnqueueOptionsSchema,
  FailRequestSchema,
  JobErrorSchema,
  JobIdSchema,
  ProgressRequestSchema,
} from './schemas.js';

/** Most jobs one `enqueueBulk` carries. */
export const MAX_BULK = 10_000;

/**
 * The message schemas of a queue whose payloads `payload` parses.
 *
 * @example
 * ```ts
 * const messages = queueMessages(z.object({ url: z.string().url() }));
 * messages.enqueue.parse({ payload: { url: 'https://example.com/a.mp4' } });
 * ```
 */
export function queueMessages<TSchema extends z.ZodType>(payload: TSchema) {
  const entry = z.strictObject({ payload, options: EnqueueOptionsSchema.optional() });
  return {
    enqueue: entry,
    enqueueBulk: z.strictObject({ jobs: z.array(entry).min(1).max(MAX_BULK) }),
    claim: ClaimRequestSchema,
    heartbeat: AttemptRefSchema,
    progress: ProgressRequestSchema,
    complete: CompleteRequestSchema,
    fail: FailRequestSchema,
    cancel: z.strictObject({ jobId: JobIdSchema }),
    pause: z.strictObject({}),
    resume: z.strictObject({}),
    get: z.strictObject({ jobId: JobIdSchema }),
    counts: z.strictObject({}),
    /** Shutdown: stop starting jobs (in memory only: the next incarnation dispatches again). */
    halt: z.strictObject({}),
    /** Shutdown past its grace: abort the queue's own running attempts and requeue them without using up an attempt. */
    abortRunning: z.strictObject({}),
    /** How an attempt of the queue's own handler ended (nobody awaits it: committed with the next flush). */
    settled: AttemptRefSchema.extend({ ok: z.boolean(), result: z.unknown().optional(), error: JobErrorSchema.optional() }),
    /** Commits what settled turns left pending. */
    flush: z.strictObject({}),
    /** The delayed-jobs reminder. */
    wake: z.strictObject({ firing: reminderFiring.optional() }),
    /** The rate limit's window opened. */
    dispatch: z.strictObject({}),
    leaseExpired: AttemptRefSchema,
    timedOut: AttemptRefSchema,
  };
}

/** The message schemas of a queue. */
export type QueueMessages<TSchema extends z.ZodType> = ReturnType<typeof queueMessages<TSchema>>;
