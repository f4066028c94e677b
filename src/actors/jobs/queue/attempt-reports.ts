/**
 * The handlers that act on one attempt: a consumer's claim, the four
 * reports (heartbeat, progress, complete, fail), cancel, and the queue's own
 * lease-expiry, timeout and shutdown messages. A report is heard only if it
 * names the job's current attempt of a running job; otherwise it is refused
 * with `ERR_STALE_ATTEMPT` and nothing changes.
 * @internal
 */
import type { z } from 'zod';
import { InvalidStateError, NotFoundError } from '../../../index.js';
import { timeoutTimer } from './attempt-launch.js';
import { StaleAttemptError } from './errors.js';
import { attemptFailed, attemptsRemain, cancelled, completed, LEASE_EXPIRED, requeued } from './job-records.js';
import { retryDelay } from './queue-options.js';
import { JOBS, type QueueTurn } from './queue-turn.js';
import type { QueueCtx } from './queue-actor.js';
import type { AttemptRef, ClaimRequestSchema, CompleteRequestSchema, FailRequestSchema, Job, JobError, ProgressRequestSchema } from './schemas.js';

type Turn = QueueTurn<QueueCtx>;

/**
 * What a consumer's claim gets: the job, its attempt id and when its lease ends.
 *
 * @example
 * ```ts
 * declare function render(payload: unknown): Promise<string>;
 * const queue = defineQueue({ name: 'renders', payload: z.object({ scene: z.string() }) }).ref(system); // a pull queue
 * const claim: Claim | null = await queue.ask('claim', { consumer: 'gpu-1' });
 * if (claim) await queue.ask('complete', { jobId: claim.job.id, attemptId: claim.attemptId, result: await render(claim.job.payload) });
 * ```
 */
export interface Claim {
  readonly job: Job;
  readonly attemptId: string;
  readonly leaseExpiresAt: number;
}

const leaseTimer = (jobId: string) => `lease:${jobId}`;

/** The job of a current attempt, or a refusal. */
function current(t: Turn, { jobId, attemptId }: AttemptRef): Job {
  const job = t.book.live.get(jobId);
  if (job?.status === 'running' && job.attemptId === attemptId && t.book.running.get(jobId)?.attemptId === attemptId) return job;
  throw new StaleAttemptError(
    job
      ? `attempt ${attemptId} of job ${jobId} is not current (the job is ${job.status}${job.attemptId ? `, attempt ${job.attemptId}` : ''}): nothing changed`
      : `job ${jobId} has no running attempt ${attemptId} in queue '${t.runtime.options.name}' (finished, cancelled or unknown): nothing changed`,
  );
}

function endAttempt(t: Turn, jobId: string): void {
  t.ctx.cancelTimer(leaseTimer(jobId));
  t.ctx.cancelTimer(timeoutTimer(jobId));
  t.book.running.delete(jobId);
}

function completeAttempt(t: Turn, job: Job, result: unknown): Job {
  endAttempt(t, job.id);
  const next = t.put(completed(job, result, t.now));
  t.publish({ type: 'completed', event: { queue: job.queue, jobId: job.id, attemptId: job.attemptId as string, attempt: job.attemptCount } });
  return next;
}

/** Fails the current attempt: retried after its backoff while attempts remain and the code allows, else failed for good. */
function failAttempt(t: Turn, job: Job, error: JobError, retry: boolean): Job {
  endAttempt(t, job.id);
  const { options } = t.runtime;
  const again = retry && attemptsRemain(job) && !options.noRetryCodes.has(error.code);
  const next = t.put(attemptFailed(job, error, t.now, again ? t.now + retryDelay(options.backoff, job.attemptCount, t.ctx.random) : undefined));
  t.publish({ type: 'failed', event: { queue: job.queue, jobId: job.id, attemptId: job.attemptId as string, attempt: job.attemptCount, error, final: !again } });
  return next;
}

/** @internal */
export function attemptReports(turn: (ctx: unknown) => Turn) {
  return {
    claim: async ({ leaseMs }: z.output<typeof ClaimRequestSchema>, ctx: unknown): Promise<Claim | null> => {
      const t = turn(ctx);
      const { options, launch } = t.runtime;
      if (launch) throw new InvalidStateError(`queue '${options.name}' runs its own jobs: only a queue without a handler is claimed by consumers`);
      t.book.promote(t.now);
      if (t.ctx.state.paused || t.book.halted || t.book.running.size >= options.concurrency || !t.book.hasReady) return null;
      if (t.book.rateAllows(options.rateLimit, t.now) !== true) return null;
      const lease = leaseMs ?? options.leaseMs;
      const job = t.claim(lease);
      t.book.running.set(job.id, { attemptId: job.attemptId as string, external: true, leaseMs: lease, abort: () => undefined });
      t.ctx.startTimer(leaseTimer(job.id), lease, { type: 'leaseExpired', payload: { jobId: job.id, attemptId: job.attemptId } } as never);
      await t.commit();
      return { job, attemptId: job.attemptId as string, leaseExpiresAt: job.leaseExpiresAt as number };
    },
    heartbeat: async (ref: AttemptRef, ctx: unknown): Promise<{ leaseExpiresAt: number | null }> => {
      const t = turn(ctx);
      const job = current(t, ref);
      const attempt = t.book.running.get(job.id);
      if (!attempt?.external) return { leaseExpiresAt: null }; // the queue's own handler: alive while it runs
      const next = t.put({ ...job, lastHeartbeatAt: t.now, leaseExpiresAt: t.now + attempt.leaseMs });
      t.ctx.startTimer(leaseTimer(job.id), attempt.leaseMs, { type: 'leaseExpired', payload: ref } as never);
      await t.commit();
      return { leaseExpiresAt: next.leaseExpiresAt };
    },
    progress: async (report: z.output<typeof ProgressRequestSchema>, ctx: unknown): Promise<void> => {
      const t = turn(ctx);
      const job = current(t, report);
      const attempt = t.book.running.get(job.id);
      const renewed = attempt?.external ? { lastHeartbeatAt: t.now, leaseExpiresAt: t.now + attempt.leaseMs } : {};
      if (attempt?.external) t.ctx.startTimer(leaseTimer(job.id), attempt.leaseMs, { type: 'leaseExpired', payload: { jobId: report.jobId, attemptId: report.attemptId } } as never);
      t.put({ ...job, ...renewed, progressPct: report.pct });
      t.publish({ type: 'progress', event: { queue: job.queue, jobId: job.id, attemptId: report.attemptId, pct: report.pct } });
      await t.commit();
    },
    complete: async (report: z.output<typeof CompleteRequestSchema>, ctx: unknown): Promise<Job> => {
      const t = turn(ctx);
      const next = completeAttempt(t, current(t, report), report.result);
      await t.commit();
      return next;
    },
    settled: (report: AttemptRef & { ok: boolean; result?: unknown; error?: JobError | undefined }, ctx: unknown): void => {
      const t = turn(ctx);
      const job = t.book.live.get(report.jobId);
      if (job?.status !== 'running' || job.attemptId !== report.attemptId) return; // superseded: cancelled, timed out, recovered
      if (report.ok) completeAttempt(t, job, report.result);
      else failAttempt(t, job, report.error ?? { code: 'ERR_JOB_FAILED', message: 'the handler failed' }, true);
      t.defer();
    },
    flush: async (_payload: object, ctx: unknown): Promise<void> => {
      const t = turn(ctx);
      t.book.flushQueued = false;
      await t.commit();
    },
    fail: async (report: z.output<typeof FailRequestSchema>, ctx: unknown): Promise<Job> => {
      const t = turn(ctx);
      const next = failAttempt(t, current(t, report), report.error, report.retry !== false);
      await t.commit();
      return next;
    },
    timedOut: async (ref: AttemptRef, ctx: unknown): Promise<void> => {
      const t = turn(ctx);
      const job = t.book.live.get(ref.jobId);
      if (job?.attemptId !== ref.attemptId || job.status !== 'running') return;
      const message = `attempt ${job.attemptCount} ran longer than ${t.runtime.options.timeoutMs} ms`;
      t.book.running.get(job.id)?.abort(new Error(message));
      failAttempt(t, job, { code: 'ERR_JOB_TIMEOUT', message }, true);
      await t.commit();
    },
    leaseExpired: async (ref: AttemptRef, ctx: unknown): Promise<void> => {
      const t = turn(ctx);
      const job = t.book.live.get(ref.jobId);
      if (job?.attemptId !== ref.attemptId || job.status !== 'running' || (job.leaseExpiresAt ?? 0) > t.now) return;
      const again = attemptsRemain(job);
      t.publish({ type: 'stalled', event: { queue: job.queue, jobId: job.id, attemptId: ref.attemptId, requeued: again } });
      if (again) {
        endAttempt(t, job.id);
        t.put(requeued(job, t.now, false));
      } else failAttempt(t, job, { code: LEASE_EXPIRED, message: `the consumer's lease on attempt ${job.attemptCount} expired` }, false);
      await t.commit();
    },
    cancel: async ({ jobId }: { jobId: string }, ctx: unknown): Promise<Job> => {
      const t = turn(ctx);
      const job = t.book.live.get(jobId);
      if (!job) {
        const stored = t.book.pending.writes.get(jobId) ?? (await t.ctx.records<Job>(JOBS).get(jobId));
        if (stored) return stored; // finished already: cancelling it again changes nothing
        throw new NotFoundError(`job ${jobId} is not in queue '${t.runtime.options.name}'`);
      }
      const wasRunning = job.status === 'running';
      if (wasRunning) t.book.running.get(jobId)?.abort(new Error(`job ${jobId} was cancelled`));
      endAttempt(t, jobId);
      const next = t.put(cancelled(job, t.now));
      t.publish({ type: 'cancelled', event: { queue: job.queue, jobId, wasRunning } });
      await t.commit();
      return next;
    },
    abortRunning: async (_payload: object, ctx: unknown): Promise<number> => {
      const t = turn(ctx);
      t.book.halted = true;
      let aborted = 0;
      for (const [jobId, attempt] of [...t.book.running]) {
        const job = t.book.live.get(jobId);
        if (attempt.external || !job) continue;
        attempt.abort(new Error('the queue is shutting down'));
        endAttempt(t, jobId);
        t.put(requeued(job, t.now, true));
        aborted += 1;
      }
      await t.commit();
      return aborted;
    },
  };
}
