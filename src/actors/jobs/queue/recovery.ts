/**
 * Recovery, run when a queue actor activates and before it dispatches
 * anything: read every job record of the queue, file queued ones, and deal
 * with jobs left running by an incarnation that is gone (a crash, a
 * restart): requeued while attempts remain, else failed with
 * `RECOVERED_FROM_RESTART`. The attempt ids they carry are no longer
 * current, so a report from the old attempt is refused.
 * @internal
 */
import { attemptFailed, attemptsRemain, RECOVERED_FROM_RESTART, requeued } from './job-records.js';
import { JOBS, type QueueTurn } from './queue-turn.js';
import type { QueueCtx } from './queue-actor.js';
import type { Job } from './schemas.js';

const PAGE = 1_000;

/** @internal */
export async function recover(t: QueueTurn<QueueCtx>): Promise<void> {
  const records = t.ctx.records<Job>(JOBS);
  const finished: Job[] = [];
  for (let after: string | undefined; ; ) {
    const page = await records.list({ ...(after === undefined ? {} : { after }), limit: PAGE });
    for (const { value: job } of page) {
      if (job.idempotencyKey !== null) t.book.keys.set(job.idempotencyKey, job.id);
      if (job.status === 'queued') t.book.queue(job, t.now);
      else if (job.status === 'running') recoverRunning(t, job);
      else finished.push(job);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]?.key;
  }
  finished.sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
  for (const job of finished) t.book.finished(job);
}

function recoverRunning(t: QueueTurn<QueueCtx>, job: Job): void {
  const again = attemptsRemain(job);
  t.publish({ type: 'recovered', event: { queue: job.queue, jobId: job.id, requeued: again } });
  if (again) {
    t.put(requeued(job, t.now, false));
    return;
  }
  const error = { code: RECOVERED_FROM_RESTART, message: `attempt ${job.attemptCount} of ${job.maxAttempts} was running when the queue's process stopped` };
  t.put(attemptFailed(job, error, t.now, undefined));
  t.publish({ type: 'failed', event: { queue: job.queue, jobId: job.id, attemptId: job.attemptId ?? '', attempt: job.attemptCount, error, final: true } });
}
