/**
 * The cook actor: one per (collection, user). It alone issues piece indices,
 * submits jobs, and counts completions, one message at a time, so the races
 * of the old orchestrator cannot happen here.
 */
import { ForbiddenError, InvalidStateError, NotFoundError } from '../../errors.js';
import { defineActor, type PassivationOptions } from '../../index.js';
import {
  applySupply,
  beginNewRun,
  countCompletion,
  failCook,
  initialCookState,
  issuePieces,
  releaseJob,
  retryDelayMs,
  snapshotOf,
  standingOf,
} from './cook-state.js';
import { COOK_COMPLETIONS, readCookCompletions, type CookCompletion } from './completions.js';
import { cookSchedule, wantsTick, type CookCtx as Ctx } from './cook-schedule.js';
import { parseCookKey, cookJobId, parseCookJobId } from './keys.js';
import { CollectionSchema, CookMessages, CookStateSchema, type CookState } from './messages.js';
import { createCookPoller } from './poller-actor.js';
import type { JobStatus, SubmitRequest, Submitter } from './service/index.js';

/** What a cook needs from outside, and its tuning. */
export interface CookOptions {
  /** Talks to the generation service (the HTTP submitter, or a simulated one). */
  readonly submitter: Submitter;
  /** Where the service should POST completions; omit to rely on sync answers and polling. */
  readonly webhookUrl?: string;
  /**
   * The interval of the cook's durable `tick` reminder: each firing polls
   * the outstanding jobs and refills free slots, and wakes a cook that was
   * passivated or whose process restarted. Default 1,000 ms.
   */
  readonly pollIntervalMs?: number;
  /** Failed submissions of one job before the cook fails. Default 5. */
  readonly maxSubmitAttempts?: number;
  /** Failed jobs (the service said `failed`) of one piece before the cook fails. Default 3. */
  readonly maxJobAttempts?: number;
  /** First retry backoff; doubles per failure, capped at 10 s. Default 200 ms. */
  readonly retryBackoffMs?: number;
  /** Idle cooks are passivated, running ones included (their tick wakes them). Default after 300,000 ms. */
  readonly passivation?: PassivationOptions;
}

/** Where collections live in the store. */
export const COLLECTIONS = 'collections';
/** Where cook states live in the store. */
export const COOKS = 'cooks';

/**
 * Defines the cook actor type (and the poller it uses) for a submitter. Key:
 * `cookKey(collectionId, userId)`. List `Cook` in the system's
 * `reminders: { actors }`, so a restarted process resumes its running cooks
 * by their ticks, before anything refers to them.
 *
 * @example
 * ```ts
 * const { Cook } = createCookActors({ submitter: createHttpSubmitter({ baseUrl: 'http://127.0.0.1:4000' }), webhookUrl: 'http://127.0.0.1:8080/webhook' });
 * const cooks = new ActorSystem({ persistence, reminders: { actors: [Cook] } });
 * const cook = cooks.ref(Cook, cookKey('autumn', 'ann'));
 * await cook.ask('start', { requester: 'ann', maxConcurrent: 3 });
 * ```
 */
export function createCookActors(options: CookOptions) {
  const Cook = defineCook(options, () => Poller);
  const Poller = createCookPoller(options.submitter, () => Cook);
  return { Cook, Poller };
}

/** The cook actor definition type. */
export type CookDefinition = ReturnType<typeof defineCook>;

function defineCook(options: CookOptions, poller: () => ReturnType<typeof createCookPoller>) {
  const schedule = cookSchedule(options.pollIntervalMs ?? 1_000);
  const maxSubmitAttempts = options.maxSubmitAttempts ?? 5;
  const maxJobAttempts = options.maxJobAttempts ?? 3;
  const retryBackoffMs = options.retryBackoffMs ?? 200;

  /** Submits a pending job without blocking the mailbox; the outcome comes back as a message. */
  const submit = (ctx: Ctx, jobId: string, pieceIndex: number) => {
    const request: SubmitRequest = {
      jobId,
      collectionId: ctx.state.collectionId,
      userId: ctx.state.userId,
      pieceIndex,
      ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
    };
    ctx.pipe(options.submitter.submit(request), (outcome) =>
      outcome.ok
        ? { type: 'submitSucceeded', payload: { jobId, accepted: outcome.value } }
        : { type: 'submitFailed', payload: { jobId, error: describe(outcome.error) } },
    );
  };

  /** Saves the state, with the tick set or removed in the same commit when the state's need of it changed. */
  const save = (ctx: Ctx, alsoWrite?: Parameters<Ctx['save']>[0]) => {
    schedule.syncTick(ctx);
    return ctx.save(alsoWrite);
  };

  /**
   * Fills free slots, makes the new pending jobs durable, then submits them. Once shutdown began, issues nothing new.
   * `onlyIfIssued`: save only when something was issued (activation, where the state is what the store holds).
   */
  const fillAndSave = async (ctx: Ctx, { onlyIfIssued = false } = {}) => {
    const issued = ctx.stopping ? [] : issuePieces(ctx.state, ctx.clock.now());
    if (issued.length > 0 || !onlyIfIssued) await save(ctx);
    for (const { jobId, job } of issued) submit(ctx, jobId, job.pieceIndex);
    schedule.scheduleRetry(ctx);
  };

  const completions = (ctx: Ctx) => ctx.records<CookCompletion>(COOK_COMPLETIONS);

  /** A report that a job finished, from any path; counts each job once: its completion record is written with the count. */
  const complete = async (ctx: Ctx, report: { jobId: string; success: boolean; error?: string | undefined; source: 'sync' | 'webhook' | 'poller' }) => {
    const state = ctx.state;
    if (standingOf(state, report.jobId) === 'ended') {
      if (await completions(ctx).get(report.jobId)) {
        state.stats.duplicatesAbsorbed++;
        return 'duplicate' as const;
      }
      return 'ignored' as const; // never issued by this cook
    }
    // A stopped or failed cook still records its late completions (counts stay true); it issues nothing new (fillAndSave issues only when running).
    if (state.status === 'completed') return 'ignored' as const;
    const pieceIndex = releaseJob(state, report.jobId) as number;
    if (report.success) {
      countCompletion(state);
      completions(ctx).put(report.jobId, { pieceIndex, outcome: 'counted' });
      state.stats.completionsBySource[report.source]++;
    } else {
      state.stats.jobFailures++;
      completions(ctx).put(report.jobId, { pieceIndex, outcome: 'abandoned' });
      const generation = (parseCookJobId(report.jobId)?.generation ?? 0) + 1;
      if (generation >= maxJobAttempts) {
        failCook(state, `piece ${pieceIndex} failed ${generation} times at the service; last error: ${report.error ?? 'unknown'}`);
      } else {
        state.retries.push({ jobId: cookJobId(state.collectionId, state.userId, pieceIndex, generation), pieceIndex, submitFailures: 0, notBefore: ctx.clock.now() });
      }
    }
    await fillAndSave(ctx);
    return 'counted' as const;
  };

  const authorize = async (ctx: Ctx, requester: string) => {
    const { collectionId, userId } = ctx.state;
    const record = await ctx.persistence.get(COLLECTIONS, collectionId);
    if (!record) throw new NotFoundError(`collection '${collectionId}' does not exist`);
    const collection = CollectionSchema.parse(record.value);
    if (requester !== collection.ownerId || requester !== userId) {
      throw new ForbiddenError(`'${requester}' may not change the cook of collection '${collectionId}' for '${userId}': only its owner may`);
    }
    return Object.assign(collection, { revision: record.revision });
  };

  return defineActor({
    name: 'cook',
    messages: CookMessages,
    initialState: (key: string): CookState => {
      const { collectionId, userId } = parseCookKey(key);
      return initialCookState(collectionId, userId);
    },
    persistence: { collection: COOKS, schema: CookStateSchema, owns: [COOK_COMPLETIONS] },
    supervision: { strategy: 'restart', minBackoffMs: 50, maxRestarts: 10, withinMs: 60_000 },
    passivation: options.passivation ?? { idleAfterMs: 300_000 },
    onStart: async (ctx) => {
      await schedule.loadTick(ctx);
      // After a restart: what was pending may or may not have reached the service; ask it rather than guess.
      for (const jobId of Object.keys(ctx.state.pending)) {
        ctx.pipe(options.submitter.query(jobId), (outcome) =>
          outcome.ok
            ? { type: 'reconciled', payload: { jobId, status: outcome.value ?? null } }
            : { type: 'submitFailed', payload: { jobId, error: `could not reconcile: ${describe(outcome.error)}` } },
        );
      }
      // A shutdown's drain counts completions but issues nothing: slots the last save freed, no job in flight refills.
      await fillAndSave(ctx, { onlyIfIssued: true });
    },
    handlers: {
      start: async ({ requester, supply, maxConcurrent }, ctx) => {
        const collection = await authorize(ctx, requester);
        const state = ctx.state;
        if (state.status === 'running' || state.status === 'paused' || state.status === 'completed') return snapshotOf(state); // a repeated start changes nothing
        if (state.status === 'idle') {
          const total = supply ?? collection.supply;
          if (total > collection.supply) throw new InvalidStateError(`cannot cook ${total} pieces: collection '${collection.id}' supplies ${collection.supply}`);
          state.total = total;
        } else {
          beginNewRun(state, ctx.clock.now(), await readCookCompletions(ctx.persistence, ctx.key)); // stopped or failed: a new run, counting from persisted progress
        }
        Object.assign(state, { status: 'running', startedBy: requester, maxConcurrent });
        await fillAndSave(ctx);
        return snapshotOf(state);
      },
      pause: async ({ requester }, ctx) => {
        await authorize(ctx, requester);
        if (ctx.state.status !== 'running') throw new InvalidStateError(`cannot pause a ${ctx.state.status} cook`);
        ctx.state.status = 'paused';
        await save(ctx);
        schedule.scheduleRetry(ctx);
        return snapshotOf(ctx.state);
      },
      resume: async ({ requester }, ctx) => {
        await authorize(ctx, requester);
        if (ctx.state.status !== 'paused') throw new InvalidStateError(`cannot resume a ${ctx.state.status} cook`);
        ctx.state.status = 'running';
        await fillAndSave(ctx);
        return snapshotOf(ctx.state);
      },
      stop: async ({ requester }, ctx) => {
        await authorize(ctx, requester);
        if (ctx.state.status !== 'running' && ctx.state.status !== 'paused') throw new InvalidStateError(`cannot stop a ${ctx.state.status} cook`);
        ctx.state.status = 'stopped';
        await save(ctx);
        schedule.scheduleRetry(ctx);
        return snapshotOf(ctx.state);
      },
      updateCollection: async ({ requester, supply }, ctx) => {
        const { revision, ...collection } = await authorize(ctx, requester);
        for (const { jobId, pieceIndex } of applySupply(ctx.state, collection.supply, supply)) completions(ctx).put(jobId, { pieceIndex, outcome: 'abandoned' });
        // The collection and the cook change in one commit: no moment where one knows the new supply and the other does not.
        await save(ctx, [{ op: 'put', collection: COLLECTIONS, key: collection.id, value: { ...collection, supply }, expectedRevision: revision }]);
        schedule.scheduleRetry(ctx);
        return snapshotOf(ctx.state);
      },
      pieceCompleted: (report, ctx) => complete(ctx, report),
      status: (_payload, ctx) => snapshotOf(ctx.state),
      submitSucceeded: async ({ jobId, accepted }, ctx) => {
        const job = ctx.state.pending[jobId];
        if (!job) return;
        delete ctx.state.pending[jobId];
        ctx.state.running[jobId] = job;
        if (accepted.status === 'succeeded' || accepted.status === 'failed') {
          await complete(ctx, completionOf(accepted, 'sync'));
          return;
        }
        await save(ctx);
      },
      submitFailed: async ({ jobId, error }, ctx) => {
        const state = ctx.state;
        const job = state.pending[jobId];
        if (!job) return;
        delete state.pending[jobId]; // the slot is free again, whatever happens next
        const submitFailures = job.submitFailures + 1;
        if (submitFailures >= maxSubmitAttempts) {
          failCook(state, `piece ${job.pieceIndex} could not be submitted after ${submitFailures} attempts: ${error}`);
        } else {
          state.stats.submitRetries++;
          state.retries.push({ jobId, pieceIndex: job.pieceIndex, submitFailures, notBefore: ctx.clock.now() + retryDelayMs(retryBackoffMs, submitFailures) });
        }
        await fillAndSave(ctx);
      },
      reconciled: async ({ jobId, status }, ctx) => {
        const job = ctx.state.pending[jobId];
        if (!job) return;
        if (status === null) {
          submit(ctx, jobId, job.pieceIndex); // the service never got it: submit again (same id, so never twice)
          return;
        }
        delete ctx.state.pending[jobId];
        ctx.state.running[jobId] = job;
        if (status.status === 'succeeded' || status.status === 'failed') await complete(ctx, completionOf(status, 'poller'));
        else await save(ctx);
      },
      jobUnknown: async ({ jobId }, ctx) => {
        const job = ctx.state.running[jobId];
        if (!job) return;
        // Lost by the service: back to the retry queue under the same id, so a late report of it still counts once.
        delete ctx.state.running[jobId];
        ctx.state.retries.push({ jobId, pieceIndex: job.pieceIndex, submitFailures: job.submitFailures, notBefore: ctx.clock.now() });
        await fillAndSave(ctx);
      },
      retryDue: (_payload, ctx) => fillAndSave(ctx),
      // Idempotent, so a redelivered firing is harmless: the poller queries each job once at a time, and only free slots are filled.
      tick: async (_payload, ctx) => {
        if (!wantsTick(ctx.state)) return; // fired as the commit that removed it landed
        const outstanding = Object.keys(ctx.state.running);
        if (outstanding.length > 0) ctx.ref(poller(), ctx.key).tell('poll', { jobIds: outstanding });
        await fillAndSave(ctx, { onlyIfIssued: true });
      },
    },
  });
}

function completionOf(status: JobStatus, source: 'sync' | 'poller') {
  return { jobId: status.jobId, success: status.status === 'succeeded', error: status.error, source };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
}
