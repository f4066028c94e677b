/**
 * `defineQueue`: one queue actor per queue, the only owner of its jobs
 * (child records of the actor). Every enqueue, claim, report, cancel and
 * recovery is one turn ending in one commit; handlers start and events are
 * published only after it. Dispatch is pushed (an enqueue, a freed slot, a
 * reminder for delayed jobs, the rate limit's window): there is no poll loop.
 */
import type { z } from 'zod';
import { defineActor, InvalidStateError, type ActorContext, type ActorRef, type ActorSystem, type MessageSchemas } from '../../../index.js';
import type { WriteOp } from '../../../persistence/index.js';
import { launcherOf } from './attempt-launch.js';
import { attemptReports } from './attempt-reports.js';
import { createQueueEvents, type QueueEventBus } from './events.js';
import { newJob } from './job-records.js';
import { QueueBook } from './queue-book.js';
import { queueMessages, type QueueMessages } from './queue-messages.js';
import { resolveQueueOptions, type QueueOptions, type ResolvedQueueOptions } from './queue-options.js';
import { QueueTurn, JOBS, QUEUES, type QueueRuntime } from './queue-turn.js';
import { recover } from './recovery.js';
import { QueueStateSchema, type EnqueueOptions, type Job, type QueueState } from './schemas.js';

type Entry = { readonly payload: unknown; readonly options?: EnqueueOptions | undefined };

/** @internal */
export type QueueCtx = ActorContext<QueueState, MessageSchemas>;

/**
 * A queue: its actor type (one actor, keyed by the queue's name), its event
 * bus and its resolved options. `ref(system)` is the queue's actor.
 *
 * @example
 * ```ts
 * declare function makeThumbnail(path: string): Promise<string>;
 * const thumbnails = defineQueue({ name: 'thumbnails', payload: z.object({ path: z.string() }), handler: async ({ path }) => makeThumbnail(path) });
 * const queue = thumbnails.ref(system);
 * const job = await queue.ask('enqueue', { payload: { path: 'a.mp4' } });
 * ```
 */
export interface Queue<TSchema extends z.ZodType> {
  readonly name: string;
  readonly actor: QueueDefinition<TSchema>;
  readonly events: QueueEventBus;
  readonly options: ResolvedQueueOptions;
  ref(system: Pick<ActorSystem, 'ref'>): ActorRef<QueueDefinition<TSchema>>;
}

/**
 * The actor type of a queue.
 *
 * @example
 * ```ts
 * const Payload = z.object({ path: z.string() });
 * const thumbnails = defineQueue({ name: 'thumbnails', payload: Payload });
 * const ref: ActorRef<QueueDefinition<typeof Payload>> = system.ref(thumbnails.actor, 'thumbnails');
 * ```
 */
export type QueueDefinition<TSchema extends z.ZodType> = ReturnType<typeof defineQueueActor<TSchema>>;

/**
 * Defines a queue. Its actor type is `steward.queue.<name>`; list
 * `queue.actor` in the system's `reminders: { actors }` so delayed jobs
 * wake the queue after a restart even before anything refs it.
 *
 * Handler contract: `handler(payload, { jobId, attemptId, attempt, signal,
 * progress(pct), heartbeat() })` resolves with the job's result or rejects
 * (an error's string `code` is the failure code); or `{ pool, task }`, a
 * `defineTask` task whose input is the payload and whose progress reports
 * are percentages. Without a handler the queue is a pull queue: external
 * consumers `claim` under a lease.
 *
 * @example
 * ```ts
 * declare function send(to: string, options: { signal: AbortSignal }): Promise<void>; // the mailer
 * const emails = defineQueue({
 *   name: 'emails',
 *   payload: z.object({ to: z.string().email() }),
 *   concurrency: 8,
 *   retry: { attempts: 5, backoff: { delayMs: 1_000, jitter: 0.5 }, noRetryCodes: ['ERR_BAD_ADDRESS'] },
 *   handler: async ({ to }, { signal }) => send(to, { signal }),
 * });
 * const system = new ActorSystem({ persistence, reminders: { actors: [emails.actor] } });
 * await emails.ref(system).ask('enqueue', { payload: { to: 'ann@example.com' }, options: { idempotencyKey: 'welcome-ann' } });
 * ```
 */
export function defineQueue<TSchema extends z.ZodType, TResult = unknown>(
  options: QueueOptions<TSchema, TResult> & { readonly onComplete?: (job: Job) => readonly WriteOp[] },
): Queue<TSchema> {
  const resolved = resolveQueueOptions(options as QueueOptions<z.ZodType, unknown>);
  const events = options.events ?? createQueueEvents();
  const runtime: QueueRuntime<QueueCtx> = {
    options: resolved,
    events,
    launch: options.handler ? launcherOf(options.handler as never, resolved.timeoutMs) : undefined,
    onComplete: options.onComplete,
  };
  const actor = defineQueueActor(options.payload, runtime);
  return { name: resolved.name, actor, events, options: resolved, ref: (system) => system.ref(actor, resolved.name) };
}

function defineQueueActor<TSchema extends z.ZodType>(payload: TSchema, runtime: QueueRuntime<QueueCtx>) {
  const { options } = runtime;
  /**
   * Each live activation's book, by its context (one per activation, kept
   * across supervised restarts): two systems in one process (a restart in
   * the same process, a simulator's crashed incarnation) never share one.
   */
  const books = new WeakMap<object, QueueBook>();
  const turn = (ctx: unknown): QueueTurn<QueueCtx> => {
    const c = ctx as QueueCtx;
    const book = books.get(c);
    if (!book) throw new InvalidStateError(`queue '${c.key}' has no live incarnation`);
    return new QueueTurn(c, book, runtime);
  };
  const enqueueOne = async (t: QueueTurn<QueueCtx>, payload: unknown, opts: EnqueueOptions): Promise<Job> => {
    const key = opts.idempotencyKey;
    const existingId = key === undefined ? undefined : t.book.keys.get(key);
    if (existingId !== undefined) {
      const existing = t.book.live.get(existingId) ?? t.book.pending.writes.get(existingId) ?? (await t.ctx.records<Job>(JOBS).get(existingId));
      if (existing) return existing;
    }
    const seq = (t.ctx.state.seq += 1);
    const job = t.put(newJob(options.name, t.ctx.random.id('job'), seq, payload, opts, options.attempts, t.now));
    if (key !== undefined) t.book.keys.set(key, job.id);
    t.publish({ type: 'queued', event: { queue: job.queue, jobId: job.id, runAt: job.runAt } });
    return job;
  };
  const latest = (t: QueueTurn<QueueCtx>, job: Job): Job => t.book.live.get(job.id) ?? job;

  return defineActor({
    name: `steward.queue.${options.name}`,
    messages: queueMessages(payload) as QueueMessages<TSchema>,
    initialState: (_key: string): QueueState => ({ seq: 0, paused: false }),
    persistence: { collection: QUEUES, schema: QueueStateSchema, owns: [JOBS] },
    onStart: async (ctx) => {
      books.get(ctx)?.abortAll('the queue restarted');
      books.set(ctx, new QueueBook());
      const t = turn(ctx);
      await recover(t);
      await t.commit();
    },
    onStop: (ctx) => {
      books.get(ctx)?.abortAll('the queue stopped');
      books.delete(ctx);
    },
    handlers: {
      // The two payload-typed handlers name their parameter's type, so the shipped declaration repeats the constraint's own type.
      enqueue: async (input: z.output<QueueMessages<TSchema>['enqueue']>, ctx): Promise<Job> => {
        const { payload: body, options: opts } = input as Entry;
        const t = turn(ctx);
        const job = await enqueueOne(t, body, opts ?? {});
        await t.commit();
        return latest(t, job);
      },
      enqueueBulk: async (input: z.output<QueueMessages<TSchema>['enqueueBulk']>, ctx): Promise<Job[]> => {
        const t = turn(ctx);
        const made: Job[] = [];
        for (const entry of (input as { jobs: Entry[] }).jobs) made.push(await enqueueOne(t, entry.payload, entry.options ?? {}));
        await t.commit();
        return made.map((job) => latest(t, job));
      },
      ...attemptReports(turn),
      pause: async (_payload, ctx): Promise<void> => {
        ctx.state.paused = true;
        await turn(ctx).commit();
      },
      resume: async (_payload, ctx): Promise<void> => {
        ctx.state.paused = false;
        await turn(ctx).commit();
      },
      get: async ({ jobId }, ctx): Promise<Job | undefined> => {
        const t = turn(ctx);
        const pending = t.book.pending.writes.get(jobId);
        if (pending !== undefined) return pending ?? undefined;
        return t.book.live.get(jobId) ?? (await ctx.records<Job>(JOBS).get(jobId));
      },
      counts: (_payload, ctx) => {
        const { book } = turn(ctx);
        return { queued: book.live.size - book.running.size, running: book.running.size, paused: ctx.state.paused, halted: book.halted };
      },
      halt: (_payload, ctx): void => {
        turn(ctx).book.halted = true;
      },
      wake: async (_payload, ctx): Promise<void> => {
        const t = turn(ctx);
        t.book.remindedAt = undefined; // this firing was the reminder
        await t.commit();
      },
      dispatch: async (_payload, ctx): Promise<void> => {
        await turn(ctx).commit();
      },
    },
  });
}
