/**
 * Starting a claimed attempt's handler: a pool task through the pool port
 * (alive while its thread runs it, bounded by `timeoutMs`), or an
 * in-process function with an AbortSignal (bounded by a `timedOut` timer).
 * Either way its outcome comes back as the queue's own `settled` message
 * carrying the attempt id, so a superseded attempt is ignored like any stale
 * report.
 * @internal
 */
import type { ActorContext, MessageSchemas } from '../../../index.js';
import type { TaskDefinition } from '../../../pools/index.js';
import { jobError } from './job-records.js';
import type { JobContext, JobFunction, JobTaskHandler } from './queue-options.js';
import type { Launch } from './queue-turn.js';
import type { Job, QueueState } from './schemas.js';

type Ctx = ActorContext<QueueState, MessageSchemas>;
type Message = { type: string; payload: unknown };

/** @internal */
export function timeoutTimer(jobId: string): string {
  return `timeout:${jobId}`;
}

/** The launch of a queue's handler. @internal */
export function launcherOf(handler: JobTaskHandler<unknown, unknown> | JobFunction<unknown, unknown>, timeoutMs: number): Launch<Ctx> {
  return typeof handler === 'function' ? launchFunction(handler, timeoutMs) : launchTask(handler, timeoutMs);
}

function outcomeMessage(job: Job, outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): Message {
  const attempt = { jobId: job.id, attemptId: job.attemptId as string };
  return { type: 'settled', payload: outcome.ok ? { ...attempt, ok: true, result: outcome.value } : { ...attempt, ok: false, error: jobError(outcome.error) } };
}

function launchTask(handler: JobTaskHandler<unknown, unknown>, timeoutMs: number): Launch<Ctx> {
  const task = handler.task as TaskDefinition<unknown, unknown, number>;
  return (ctx, job, controller) => {
    const attempt = { jobId: job.id, attemptId: job.attemptId as string };
    ctx.startTask(handler.pool, task, job.payload, {
      toMessage: (outcome) => outcomeMessage(job, outcome) as never,
      onProgress: (pct) => ({ type: 'progress', payload: { ...attempt, pct: Math.min(100, Math.max(0, Number(pct) || 0)) } }) as never,
      onHeartbeat: () => ({ type: 'heartbeat', payload: attempt }) as never,
      timeoutMs,
      signal: controller.signal,
    });
  };
}

function launchFunction(handler: JobFunction<unknown, unknown>, timeoutMs: number): Launch<Ctx> {
  return (ctx, job, controller) => {
    const attempt = { jobId: job.id, attemptId: job.attemptId as string };
    const self = ctx.self;
    const report = (message: Message) => {
      if (!controller.signal.aborted) self.tell(message.type as never, message.payload as never);
    };
    const context: JobContext = {
      ...attempt,
      attempt: job.attemptCount,
      signal: controller.signal,
      progress: (pct) => report({ type: 'progress', payload: { ...attempt, pct } }),
      heartbeat: () => report({ type: 'heartbeat', payload: attempt }),
    };
    ctx.startTimer(timeoutTimer(job.id), timeoutMs, { type: 'timedOut', payload: attempt } as never);
    ctx.pipe(
      Promise.resolve().then(() => handler(job.payload, context)),
      (outcome) => outcomeMessage(job, outcome) as never,
    );
  };
}
