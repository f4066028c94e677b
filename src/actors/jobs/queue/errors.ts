/**
 * The queue's refusals, each with a stable code.
 */
import { RefusalError, StewardError } from '../../../index.js';

/**
 * A report (completion, failure, heartbeat, progress) named an attempt that
 * is no longer the job's current one: the job was requeued after a lost
 * lease or a restart, cancelled, or already finished. Nothing was changed.
 *
 * @example
 * ```ts
 * declare const claim: Claim;
 * declare const result: unknown;
 * const queue = defineQueue({ name: 'renders', payload: z.object({ scene: z.string() }) }).ref(system);
 * const { attemptId } = claim;
 * await queue.ask('complete', { jobId: claim.job.id, attemptId, result }).catch((error: unknown) => {
 *   if (error instanceof StaleAttemptError) log.warn(`${claim.job.id}: my attempt was superseded, result dropped`);
 * });
 * ```
 */
export class StaleAttemptError extends RefusalError {
  readonly code = 'ERR_STALE_ATTEMPT' as const;
  override readonly name = 'StaleAttemptError';
}

/**
 * The queue's HTTP endpoint could not be reached or answered with something
 * unexpected (network error, timeout, 5xx, a body that fails its schema).
 *
 * @example
 * ```ts
 * declare function retryLater(): void;
 * const consumer = httpQueueConsumer('http://127.0.0.1:8080/queues/media');
 * await consumer.claim().catch((error: unknown) => {
 *   if (error instanceof QueueUnavailableError) retryLater();
 * });
 * ```
 */
export class QueueUnavailableError extends StewardError {
  readonly code = 'ERR_QUEUE_UNAVAILABLE' as const;
  override readonly name = 'QueueUnavailableError';
}
