/**
 * A job's transitions as pure functions of (job, time): each returns the
 * next record, which the queue actor stages and commits in one turn.
 * @internal
 */
import type { EnqueueOptions, Job, JobError } from './schemas.js';

/** The error of a job left running by an incarnation that is gone (the seed's constant). */
export const RECOVERED_FROM_RESTART = 'RECOVERED_FROM_RESTART';
/** The error of an attempt whose external consumer let its lease run out on its last attempt. */
export const LEASE_EXPIRED = 'ERR_LEASE_EXPIRED';

/** @internal */
export function newJob(queue: string, id: string, seq: number, payload: unknown, options: EnqueueOptions, maxAttempts: number, now: number): Job {
  const runAt = options.runAt ?? now + (options.delayMs ?? 0);
  return {
    id,
    queue,
    status: 'queued',
    payload,
    priority: options.priority ?? 0,
    seq,
    attemptCount: 0,
    maxAttempts,
    attemptId: null,
    idempotencyKey: options.idempotencyKey ?? null,
    queuedAt: now,
    runAt,
    startedAt: null,
    finishedAt: null,
    leaseExpiresAt: null,
    lastHeartbeatAt: null,
    progressPct: 0,
    error: null,
    result: null,
  };
}

/** queued → running: a fresh attempt. @internal */
export function claimed(job: Job, attemptId: string, now: number, leaseMs: number | undefined): Job {
  return {
    ...job,
    status: 'running',
    attemptCount: job.attemptCount + 1,
    attemptId,
    startedAt: now,
    leaseExpiresAt: leaseMs === undefined ? null : now + leaseMs,
    lastHeartbeatAt: now,
    progressPct: 0,
  };
}

/** @internal */
export function completed(job: Job, result: unknown, now: number): Job {
  return { ...job, status: 'completed', finishedAt: now, leaseExpiresAt: null, progressPct: 100, error: null, result: result ?? null };
}

/** A failed attempt: back to queued at `retryAt`, or failed for good when `retryAt` is undefined. @internal */
export function attemptFailed(job: Job, error: JobError, now: number, retryAt: number | undefined): Job {
  if (retryAt === undefined) return { ...job, status: 'failed', finishedAt: now, leaseExpiresAt: null, error };
  return { ...job, status: 'queued', runAt: retryAt, leaseExpiresAt: null, error };
}

/** Back to queued at once; `refund` gives the attempt back (shutdown took it away, not the job). @internal */
export function requeued(job: Job, now: number, refund: boolean): Job {
  return { ...job, status: 'queued', runAt: now, leaseExpiresAt: null, attemptCount: refund ? Math.max(0, job.attemptCount - 1) : job.attemptCount };
}

/** @internal */
export function cancelled(job: Job, now: number): Job {
  return { ...job, status: 'cancelled', finishedAt: now, leaseExpiresAt: null };
}

/** Whether another attempt may follow the current one. @internal */
export function attemptsRemain(job: Job): boolean {
  return job.attemptCount < job.maxAttempts;
}

/** The code and message of anything a handler threw or a task rejected with. @internal */
export function jobError(error: unknown): JobError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { code: typeof code === 'string' ? code.slice(0, 100) : 'ERR_JOB_FAILED', message: message.slice(0, 2_000) };
}
