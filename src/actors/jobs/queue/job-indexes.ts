/**
 * The secondary indexes of the `jobs` collection, owned here with the job
 * record they index, for readers that page through jobs without the queue
 * actor (the operator's queues domain): the actor itself keeps its live jobs
 * in memory and needs none. Declaring them is idempotent; an embedded store
 * builds them once from its records and keeps them with each commit,
 * PostgreSQL keeps them as partial expression indexes. A store pays for
 * them on every job commit only once somebody declared them.
 */
import type { IndexSpec } from '../../../persistence/index.js';
import { JOBS } from './queue-turn.js';

/**
 * Jobs by queue, status and enqueue time: counts by status, the oldest queued job.
 *
 * @example
 * ```ts
 * const page = await persistence.queryIndex<Job>(JOBS, JOBS_BY_STATUS.name, { eq: ['emails', 'queued'], limit: 100 });
 * ```
 */
export const JOBS_BY_STATUS: IndexSpec = {
  name: 'steward.jobs.by-status',
  fields: [
    { name: 'queue', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'queuedAt', type: 'number' },
  ],
};

/**
 * Finished jobs by queue, status and finish time (unfinished ones have no
 * `finishedAt`, so they are not in it): the latest failures.
 *
 * @example
 * ```ts
 * const page = await persistence.queryIndex<Job>(JOBS, JOBS_BY_FINISH.name, { eq: ['emails', 'failed'], gte: Date.now() - 3_600_000 });
 * ```
 */
export const JOBS_BY_FINISH: IndexSpec = {
  name: 'steward.jobs.by-finish',
  fields: [
    { name: 'queue', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'finishedAt', type: 'number' },
  ],
};

/**
 * Every index of `jobs` the package defines.
 *
 * @example
 * ```ts
 * for (const spec of JOB_INDEXES) console.log(spec.name);
 * ```
 */
export const JOB_INDEXES: readonly IndexSpec[] = [JOBS_BY_STATUS, JOBS_BY_FINISH];

/**
 * Declares {@link JOB_INDEXES} on `store` (a Persistence, a store, a reader with `defineIndex`).
 *
 * @example
 * ```ts
 * await defineJobIndexes(persistence);
 * const queued = await persistence.queryIndex<Job>(JOBS, JOBS_BY_STATUS.name, { eq: ['emails', 'queued'] });
 * ```
 */
export async function defineJobIndexes(store: { defineIndex(collection: string, spec: IndexSpec): Promise<void> }): Promise<void> {
  await Promise.all(JOB_INDEXES.map((spec) => store.defineIndex(JOBS, spec)));
}
