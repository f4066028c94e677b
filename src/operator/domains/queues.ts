/**
 * Job queues on the operator surface, read from the store (the queue
 * actors' records and their jobs), never through a queue actor: counts by
 * status, running jobs whose lease ran out with nobody to notice (stalled),
 * the oldest queued job, and the latest failures with their error codes.
 * Shows ids, statuses, codes and times only, never a payload, a result or
 * an error message (they are the application's data).
 */
import { JobStatusSchema, QUEUES, QueueStateSchema, type JobStatus } from '../../actors/jobs/index.js';
import type { Cell, OperatorDomain } from '../domain.js';
import { COUNT_CAP, hasIndexes, indexDeclarations, jobsInStatus, latestFailures, type IndexedReader } from './queue-indexes.js';

/** Latest failures listed per queue. */
const FAILURES_LISTED = 10;

const age = (now: number, at: number): string => `${Math.max(0, Math.round((now - at) / 1000))}s`;

/**
 * Queues: per queue its jobs by status (a count past 1,000 shows as
 * `1000+`), stalled running jobs, the oldest queued job's age, and the
 * latest failures (job, attempts, error code). It declares the jobs
 * package's indexes of `jobs` (`JOB_INDEXES`) on the reader it reads, so each
 * read is a few bounded index pages per queue, whatever the history.
 *
 * @example
 * ```ts
 * dashboard({ system, reader: persistence, domains: [queuesDomain()] });
 * ```
 */
export function queuesDomain(): OperatorDomain {
  const declare = indexDeclarations();
  return {
    name: 'queues',
    title: 'Job queues',
    read: async (reader, { now }) => {
      const queues = await reader.query(QUEUES);
      if (!hasIndexes(reader)) {
        return { counts: { queues: queues.length }, tables: [], alerts: ['job counts need a reader with secondary indexes (defineIndex / queryIndex)'] };
      }
      await declare(reader);
      const counts: Record<string, number> = { queues: 0, queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0, stalled: 0, paused: 0 };
      const rows: Cell[][] = [];
      const failures: Cell[][] = [];
      const alerts: string[] = [];
      for (const record of queues) {
        const state = QueueStateSchema.safeParse(record.value);
        if (!state.success) {
          alerts.push(`queue ${record.key} is not a valid queue state`);
          continue;
        }
        const queue = await readQueue(reader, record.key, now);
        counts.queues = (counts.queues ?? 0) + 1;
        if (state.data.paused) counts.paused = (counts.paused ?? 0) + 1;
        for (const status of JobStatusSchema.options) counts[status] = (counts[status] ?? 0) + queue.byStatus[status].count;
        counts.stalled = (counts.stalled ?? 0) + queue.stalled;
        const shown = (status: JobStatus) => `${queue.byStatus[status].count}${queue.byStatus[status].more ? '+' : ''}`;
        rows.push([record.key, state.data.paused ? 'paused' : 'active', ...JobStatusSchema.options.map(shown), queue.stalled, queue.oldestQueuedAt === undefined ? null : age(now, queue.oldestQueuedAt)]);
        if (queue.stalled > 0) alerts.push(`queue ${record.key}: ${queue.stalled} running job(s) past their lease (stalled): is the queue's process alive?`);
        for (const { value: job } of queue.failures) {
          failures.push([record.key, job.id, `${job.attemptCount}/${job.maxAttempts}`, job.error?.code ?? null, job.finishedAt === null ? null : `${age(now, job.finishedAt)} ago`]);
        }
      }
      return {
        counts,
        tables: [
          { title: `queues (a count past ${COUNT_CAP} shows as ${COUNT_CAP}+)`, columns: ['queue', 'state', ...JobStatusSchema.options, 'stalled', 'oldest queued'], rows },
          { title: `latest failures (up to ${FAILURES_LISTED} per queue)`, columns: ['queue', 'job', 'attempts', 'error code', 'failed'], rows: failures },
        ],
        alerts,
      };
    },
  };
}

async function readQueue(reader: IndexedReader, queue: string, now: number) {
  const pages = await Promise.all(JobStatusSchema.options.map((status) => jobsInStatus(reader, queue, status)));
  const byStatus = Object.fromEntries(JobStatusSchema.options.map((status, i) => [status, { count: pages[i]?.jobs.length ?? 0, more: pages[i]?.more ?? false }])) as Record<
    JobStatus,
    { count: number; more: boolean }
  >;
  const running = pages[JobStatusSchema.options.indexOf('running')]?.jobs ?? [];
  const stalled = running.filter(({ value }) => value.leaseExpiresAt !== null && value.leaseExpiresAt < now).length;
  const oldestQueuedAt = pages[JobStatusSchema.options.indexOf('queued')]?.jobs[0]?.value.queuedAt;
  const failures = byStatus.failed.count === 0 ? [] : await latestFailures(reader, queue, now, FAILURES_LISTED);
  return { byStatus, stalled, oldestQueuedAt, failures };
}
