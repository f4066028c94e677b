/**
 * A queue's data as zod schemas: the job record (a child record of its queue
 * actor), the queue actor's own small state, and every request a producer,
 * a consumer or the queue's own handler sends. The HTTP pull API parses with
 * the same schemas.
 */
import { z } from 'zod';

/**
 * Where a job stands. `queued` includes delayed jobs (`runAt` in the future)
 * and jobs waiting out a retry backoff.
 *
 * @example
 * ```ts
 * declare const job: Job;
 * const done = JobStatusSchema.extract(['completed', 'failed', 'cancelled']).safeParse(job.status).success;
 * ```
 */
export const JobStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/**
 * Ids of jobs and attempts, and idempotency keys: short and printable.
 *
 * @example
 * ```ts
 * JobIdSchema.parse('job-1-0a1b2c3d');
 * ```
 */
export const JobIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'ids are 1-128 characters: letters, digits, _ . : -');

/**
 * Why a job (or one attempt of it) failed: a stable code and a message.
 *
 * @example
 * ```ts
 * const error: JobError = { code: 'ERR_TASK_TIMEOUT', message: 'task timed out after 30000 ms' };
 * ```
 */
export const JobErrorSchema = z.strictObject({ code: z.string().max(100), message: z.string().max(2_000) });
export type JobError = z.infer<typeof JobErrorSchema>;

/**
 * One job as stored. `attemptId` is the fence of the current (or last)
 * attempt: only reports that carry it are heard.
 *
 * @example
 * ```ts
 * const queue = defineQueue({ name: 'renders', payload: z.object({ scene: z.string() }) }).ref(system);
 * const job = await queue.ask('get', { jobId });
 * if (job?.status === 'failed') console.error(job.error?.code, job.error?.message);
 * ```
 */
export const JobSchema = z.strictObject({
  id: JobIdSchema,
  queue: z.string(),
  status: JobStatusSchema,
  payload: z.unknown(),
  priority: z.number().int(),
  /** Enqueue order, for FIFO among equal priorities. */
  seq: z.number().int().nonnegative(),
  attemptCount: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  attemptId: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  queuedAt: z.number(),
  /** Not before this time (delay, runAt or a retry's backoff). */
  runAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** When an external consumer's lease ends unless renewed (null for jobs run by the queue itself). */
  leaseExpiresAt: z.number().nullable(),
  lastHeartbeatAt: z.number().nullable(),
  progressPct: z.number().min(0).max(100),
  error: JobErrorSchema.nullable(),
  result: z.unknown(),
});
export type Job = z.infer<typeof JobSchema>;

/**
 * The queue actor's own record: an enqueue counter and whether it is
 * paused. Jobs are not in it, so a save does not grow with the backlog.
 *
 * @example
 * ```ts
 * const state: QueueState = { seq: 0, paused: false };
 * ```
 */
export const QueueStateSchema = z.strictObject({ seq: z.number().int().nonnegative(), paused: z.boolean() });
export type QueueState = z.infer<typeof QueueStateSchema>;

/**
 * How one job is enqueued besides its payload.
 *
 * @example
 * ```ts
 * const queue = defineQueue({ name: 'posts', payload: z.object({ postId: z.string() }) }).ref(system);
 * const postId = 'p-42';
 * await queue.ask('enqueue', { payload: { postId }, options: { idempotencyKey: `post-${postId}`, delayMs: 5_000, priority: 10 } });
 * ```
 */
export const EnqueueOptionsSchema = z.strictObject({
  /** A second enqueue with the same key returns the existing job. */
  idempotencyKey: JobIdSchema.optional(),
  /** Not before this many ms from now. */
  delayMs: z.number().int().min(0).max(365 * 24 * 3600_000).optional(),
  /** Not before this instant (ms since the epoch, the system's clock). */
  runAt: z.number().int().min(0).optional(),
  /** Higher runs first; equal priorities run in enqueue order. Default 0. */
  priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
});
export type EnqueueOptions = z.infer<typeof EnqueueOptionsSchema>;

/**
 * An attempt's identity: every report about a running job names it.
 */
export const AttemptRefSchema = z.strictObject({ jobId: JobIdSchema, attemptId: JobIdSchema });
export type AttemptRef = z.infer<typeof AttemptRefSchema>;

/** A consumer's claim request. */
export const ClaimRequestSchema = z.strictObject({
  /** Who claims (a log label). */
  consumer: z.string().max(200).optional(),
  /** Lease length; default the queue's `leaseMs`. */
  leaseMs: z.number().int().min(1).max(24 * 3600_000).optional(),
});

/** An attempt's progress. */
export const ProgressRequestSchema = AttemptRefSchema.extend({ pct: z.number().min(0).max(100) });
/** An attempt's success. */
export const CompleteRequestSchema = AttemptRefSchema.extend({ result: z.unknown().optional() });
/** An attempt's failure; `retry: false` fails the job at once. */
export const FailRequestSchema = AttemptRefSchema.extend({ error: JobErrorSchema, retry: z.boolean().optional() });
