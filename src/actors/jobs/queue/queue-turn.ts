/**
 * One turn of a queue actor: the job records it changes, the attempts it
 * claims, the events it will publish and the handlers it will start. It
 * stages every change, commits them in one save, and only then starts
 * handlers and publishes, so nothing acts on a claim the store does not have.
 * @internal
 */
import type { ActorContext, MessageSchemas } from '../../../index.js';
import type { WriteOp } from '../../../persistence/index.js';
import { publishAll, type PendingEvent, type QueueEventBus } from './events.js';
import { claimed } from './job-records.js';
import type { QueueBook } from './queue-book.js';
import type { ResolvedQueueOptions } from './queue-options.js';
import type { Job, QueueState } from './schemas.js';

/** The owned collection of job records (child records of their queue actor). */
export const JOBS = 'jobs';
/** The queue actors' own records. */
export const QUEUES = 'queues';
/** Name of the reminder that wakes a queue for its earliest delayed job. */
export const DELAYED_REMINDER = 'delayed';

/** Starts the handler of a claimed attempt (after the claim is durable). @internal */
export type Launch<TCtx> = (ctx: TCtx, job: Job, controller: AbortController) => void;

/** What every turn of one queue shares. @internal */
export interface QueueRuntime<TCtx> {
  readonly options: ResolvedQueueOptions;
  readonly events: QueueEventBus;
  /** Undefined for a pull queue (external consumers claim). */
  readonly launch: Launch<TCtx> | undefined;
  /** Extra writes committed with a job's completion. */
  readonly onComplete: ((job: Job) => readonly WriteOp[]) | undefined;
}

/** @internal */
export class QueueTurn<TCtx extends ActorContext<QueueState, MessageSchemas>> {
  readonly now: number;

  constructor(
    readonly ctx: TCtx,
    readonly book: QueueBook,
    readonly runtime: QueueRuntime<TCtx>,
  ) {
    this.now = ctx.clock.now();
  }

  get #jobs() {
    return this.ctx.records<Job>(JOBS);
  }

  /** Records a job's new value (committed with the turn, or at the next flush) and files it in the book. */
  put(job: Job): Job {
    this.book.pending.writes.set(job.id, job);
    if (job.status === 'queued') this.book.queue(job, this.now);
    else if (job.status === 'running') this.book.live.set(job.id, job);
    else {
      this.book.finished(job);
      if (job.status === 'completed' && this.runtime.onComplete) this.alsoWrite(this.runtime.onComplete(job));
    }
    return job;
  }

  publish(event: PendingEvent): void {
    this.book.pending.events.push(event);
  }

  /** Starts ready jobs up to the concurrency, unless paused or halted (a pull queue waits for claims). */
  dispatch(): void {
    this.book.promote(this.now);
    const { launch, options } = this.runtime;
    if (!launch || this.ctx.state.paused || this.book.halted) return;
    while (this.book.running.size < options.concurrency && this.book.hasReady) {
      const allowed = this.book.rateAllows(options.rateLimit, this.now);
      if (allowed !== true) {
        this.ctx.startTimer('rate', allowed - this.now, { type: 'dispatch', payload: {} } as never);
        return;
      }
      const job = this.claim(undefined);
      const controller = new AbortController();
      this.book.running.set(job.id, { attemptId: job.attemptId as string, external: false, leaseMs: 0, abort: (reason) => controller.abort(reason) });
      this.book.pending.launches.push(() => launch(this.ctx, job, controller));
    }
  }

  /** Claims the next ready job (the caller checked there is one): a fresh attempt. */
  claim(leaseMs: number | undefined): Job {
    const job = this.book.takeReady() as Job;
    const next = this.put(claimed(job, this.ctx.random.id('attempt'), this.now, leaseMs));
    this.book.started(this.runtime.options.rateLimit, this.now);
    this.publish({ type: 'started', event: { queue: next.queue, jobId: next.id, attemptId: next.attemptId as string, attempt: next.attemptCount } });
    return next;
  }

  /** Deletes finished jobs past retention. */
  prune(): void {
    for (const id of this.book.expired(this.runtime.options.retention, this.now)) this.book.pending.writes.set(id, null);
  }

  /**
   * Dispatches, re-arms the delayed reminder, commits everything pending
   * (earlier deferred turns' changes too) once, then starts handlers and publishes.
   */
  async commit(): Promise<void> {
    this.prune();
    this.dispatch();
    this.#armDelayed();
    const { writes, also, events, launches } = this.book.pending;
    const jobs = this.#jobs;
    for (const [id, job] of writes) {
      if (job) jobs.put(id, job);
      else jobs.delete(id);
    }
    const taken = { also: also.splice(0), events: events.splice(0), launches: launches.splice(0) };
    writes.clear();
    await this.ctx.save(taken.also);
    for (const launch of taken.launches) launch();
    publishAll(this.runtime.events, taken.events);
  }

  /**
   * For outcomes nobody awaits (the queue's own handlers): leave the changes
   * pending and commit them with the next turn that commits, or a `flush`
   * turn queued behind the messages already waiting, so a burst of them is
   * one commit. Nothing acts on them before then: the handlers they free
   * slots for start after the flush.
   */
  defer(): void {
    if (this.book.flushQueued) return;
    this.book.flushQueued = true;
    this.ctx.self.tell('flush' as never, {} as never);
  }

  /** Writes to commit with this turn besides the job records (a completion's side effects). */
  alsoWrite(ops: readonly WriteOp[]): void {
    this.book.pending.also.push(...ops);
  }

  #armDelayed(): void {
    const due = this.book.nextDue();
    if (due === this.book.remindedAt) return;
    if (due === undefined) this.ctx.cancelReminder(DELAYED_REMINDER);
    else this.ctx.remind(DELAYED_REMINDER, { at: due }, { type: 'wake', payload: {} } as never);
    this.book.remindedAt = due;
  }
}
