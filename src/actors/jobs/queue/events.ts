/**
 * A queue's typed event bus (mitt). Events carry ids, statuses, attempt
 * numbers and error codes, never payloads or results. Each is published
 * after the commit that made it true; a throwing listener changes nothing.
 */
import mittModule, { type Emitter } from 'mitt';
import type { JobError } from './schemas.js';

interface JobEvent {
  readonly queue: string;
  readonly jobId: string;
}

/**
 * Events of a queue.
 *
 * @example
 * ```ts
 * const queue = defineQueue({ name: 'renders', payload: z.object({ scene: z.string() }) });
 * queue.events.on('failed', ({ jobId, error, final }) => final && log.error(`${jobId} failed: ${error.code}`));
 * ```
 */
export type QueueEvents = {
  queued: JobEvent & { readonly runAt: number };
  started: JobEvent & { readonly attemptId: string; readonly attempt: number };
  progress: JobEvent & { readonly attemptId: string; readonly pct: number };
  completed: JobEvent & { readonly attemptId: string; readonly attempt: number };
  /** An attempt failed; `final` when the job is failed for good (else it waits for its retry). */
  failed: JobEvent & { readonly attemptId: string; readonly attempt: number; readonly error: JobError; readonly final: boolean };
  /** An external consumer's lease ran out; the job is requeued (`requeued`) or failed. */
  stalled: JobEvent & { readonly attemptId: string; readonly requeued: boolean };
  /** A job left running by a previous incarnation, requeued or failed (`RECOVERED_FROM_RESTART`) on activation. */
  recovered: JobEvent & { readonly requeued: boolean };
  cancelled: JobEvent & { readonly wasRunning: boolean };
};

/**
 * The typed emitter of a queue.
 *
 * @example
 * ```ts
 * declare const metrics: { increment(name: string): void };
 * const queue = defineQueue({ name: 'renders', payload: z.object({ scene: z.string() }) });
 * const bus: QueueEventBus = queue.events;
 * bus.on('completed', ({ jobId }) => metrics.increment('jobs.completed'));
 * ```
 */
export type QueueEventBus = Emitter<QueueEvents>;

// mitt ships ESM at run time but CommonJS-flavoured typings, which NodeNext reads as a namespace.
const mitt = mittModule as unknown as typeof mittModule.default;

/** A new queue bus. @internal */
export function createQueueEvents(): QueueEventBus {
  return mitt<QueueEvents>();
}

/** One event waiting for its commit. @internal */
export type PendingEvent = { [K in keyof QueueEvents]: { readonly type: K; readonly event: QueueEvents[K] } }[keyof QueueEvents];

/** Calls every listener of each event, each guarded. @internal */
export function publishAll(bus: QueueEventBus, events: readonly PendingEvent[]): void {
  for (const { type, event } of events) {
    for (const listener of [...(bus.all.get(type) ?? [])]) guarded(() => (listener as (event: unknown) => void)(event));
    for (const listener of [...(bus.all.get('*') ?? [])]) guarded(() => (listener as (type: string, event: unknown) => void)(type, event));
  }
}

function guarded(call: () => void): void {
  try {
    call();
  } catch {
    // Observers cannot change what the queue did: its commit is already durable.
  }
}
