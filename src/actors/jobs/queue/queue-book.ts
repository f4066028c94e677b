/**
 * What one queue incarnation keeps in memory to dispatch without reading
 * the store: its live (queued and running) jobs, the ready ones by priority
 * then enqueue order, the delayed ones by due time, the running attempts,
 * idempotency keys and finished jobs for retention. It is derived from the
 * job records at activation and rebuilt on every restart, so it never holds
 * anything the store does not.
 * @internal
 */
import type { WriteOp } from '../../../persistence/index.js';
import type { PendingEvent } from './events.js';
import { Heap } from './heap.js';
import type { ResolvedQueueOptions } from './queue-options.js';
import type { Job } from './schemas.js';

/** A running attempt as the incarnation that started it knows it. @internal */
export interface RunningAttempt {
  readonly attemptId: string;
  /** Run by an external consumer under a lease (else by the queue's own handler). */
  readonly external: boolean;
  /** The lease each heartbeat renews (external attempts). */
  readonly leaseMs: number;
  /** Aborts the handler (no-op for external attempts). */
  readonly abort: (reason: unknown) => void;
}

interface Finished {
  readonly id: string;
  readonly finishedAt: number;
  readonly key: string | null;
}

/** @internal */
export class QueueBook {
  /** Queued and running jobs, by id: the latest value of each record. */
  readonly live = new Map<string, Job>();
  readonly running = new Map<string, RunningAttempt>();
  /** Idempotency key → job id, for every job still retained. */
  readonly keys = new Map<string, string>();
  readonly #ready = new Heap<Job>((a, b) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq));
  readonly #inReady = new Set<string>();
  readonly #delayed = new Heap<Job>((a, b) => a.runAt < b.runAt || (a.runAt === b.runAt && a.seq < b.seq));
  readonly #finished = { completed: [] as Finished[], failed: [] as Finished[] };
  /** Start times within the rate limit's window, oldest first. */
  readonly #starts: number[] = [];
  /** Due time of the `delayed` reminder as last set (undefined: none set). */
  remindedAt: number | undefined = undefined;
  /** Shutdown began: start nothing more (in memory only). */
  halted = false;
  /**
   * Changes made but not yet committed: job records (null: delete), extra
   * writes, events to publish and handlers to start once they are durable.
   * Outcomes of the queue's own handlers wait here for one `flush` turn, so
   * a burst of completions is one commit.
   */
  readonly pending = { writes: new Map<string, Job | null>(), also: [] as WriteOp[], events: [] as PendingEvent[], launches: [] as Array<() => void> };
  /** A `flush` message is on its way. */
  flushQueued = false;

  /** Aborts every running handler this incarnation started (it is being replaced or stopped). */
  abortAll(reason: string): void {
    for (const attempt of this.running.values()) attempt.abort(new Error(reason));
    this.running.clear();
  }

  /** Files a queued job as ready (due) or delayed. */
  queue(job: Job, now: number): void {
    this.live.set(job.id, job);
    if (job.runAt > now) this.#delayed.push(job);
    else if (!this.#inReady.has(job.id)) {
      this.#inReady.add(job.id);
      this.#ready.push(job);
    }
  }

  /** Moves delayed jobs that are due to ready. */
  promote(now: number): void {
    for (let top = this.#delayed.peek(); top && top.runAt <= now; top = this.#delayed.peek()) {
      this.#delayed.pop();
      const job = this.live.get(top.id);
      if (job === top) this.queue(job, now);
    }
  }

  /** The earliest due time of a delayed job still queued, if any. */
  nextDue(): number | undefined {
    for (let top = this.#delayed.peek(); top; top = this.#delayed.peek()) {
      if (this.live.get(top.id) === top) return top.runAt;
      this.#delayed.pop(); // superseded (cancelled, or requeued with another value)
    }
    return undefined;
  }

  /** Takes the next ready job, skipping cancelled ones. */
  takeReady(): Job | undefined {
    for (let job = this.#ready.pop(); job; job = this.#ready.pop()) {
      this.#inReady.delete(job.id);
      const current = this.live.get(job.id);
      if (current?.status === 'queued') return current;
    }
    return undefined;
  }

  get hasReady(): boolean {
    while (this.#ready.size > 0) {
      const top = this.#ready.peek() as Job;
      if (this.live.get(top.id)?.status === 'queued') return true;
      this.#ready.pop();
      this.#inReady.delete(top.id);
    }
    return false;
  }

  /** Whether the rate limit lets a job start now; else when it will. */
  rateAllows(limit: ResolvedQueueOptions['rateLimit'], now: number): true | number {
    if (!limit) return true;
    while (this.#starts.length > 0 && (this.#starts[0] as number) <= now - limit.intervalMs) this.#starts.shift();
    return this.#starts.length < limit.max || (this.#starts[0] as number) + limit.intervalMs;
  }

  started(limit: ResolvedQueueOptions['rateLimit'], now: number): void {
    if (limit) this.#starts.push(now);
  }

  /** A job reached a final status. */
  finished(job: Job): void {
    this.live.delete(job.id);
    this.running.delete(job.id);
    (job.status === 'completed' ? this.#finished.completed : this.#finished.failed).push({ id: job.id, finishedAt: job.finishedAt ?? 0, key: job.idempotencyKey });
  }

  /** Ids of finished jobs past the retention rules, removed from the book (with their idempotency keys). */
  expired(retention: ResolvedQueueOptions['retention'], now: number): string[] {
    const out: string[] = [];
    const trim = (list: Finished[], rule: { count: number; ageMs: number }) => {
      while (list.length > rule.count || (list.length > 0 && (list[0] as Finished).finishedAt < now - rule.ageMs)) {
        const gone = list.shift() as Finished;
        out.push(gone.id);
        if (gone.key !== null && this.keys.get(gone.key) === gone.id) this.keys.delete(gone.key);
      }
    };
    trim(this.#finished.completed, retention.completed);
    trim(this.#finished.failed, retention.failed);
    return out;
  }
}
