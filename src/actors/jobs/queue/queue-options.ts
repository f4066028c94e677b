/**
 * What `defineQueue` is given, checked once: bad options are an
 * `ERR_INVALID_CONFIG` at definition time, never a surprise at run time.
 */
import type { z } from 'zod';
import { InvalidConfigError, type Random } from '../../../index.js';
import type { TaskDefinition } from '../../../pools/index.js';
import type { QueueEventBus } from './events.js';

/**
 * What an in-process handler is told about its attempt.
 *
 * @example
 * ```ts
 * declare function upload(part: string, options: { signal: AbortSignal }): Promise<void>;
 * defineQueue({
 *   name: 'uploads',
 *   payload: z.object({ parts: z.array(z.string()) }),
 *   handler: async (payload, { signal, progress, attemptId }) => {
 *     for (const [i, part] of payload.parts.entries()) {
 *       if (signal.aborted) throw signal.reason;
 *       await upload(part, { signal });
 *       progress(((i + 1) / payload.parts.length) * 100);
 *     }
 *     return { uploaded: payload.parts.length, by: attemptId };
 *   },
 * });
 * ```
 */
export interface JobContext {
  readonly jobId: string;
  /** The attempt's fence: reports made with it after it was superseded are refused. */
  readonly attemptId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborted when the job is cancelled, times out (`timeoutMs`) or the queue shuts down. */
  readonly signal: AbortSignal;
  /** Reports progress, 0-100 (stored on the job, `progress` event). */
  progress(pct: number): void;
  /** A sign of life; optional for in-process work (it is alive while its promise is pending). */
  heartbeat(): void;
}

/**
 * An in-process handler: resolves with the job's result (JSON), rejects to fail the attempt.
 * An error's `code` (if a string) is the failure's code, matched against `retry.noRetryCodes`.
 *
 * @example
 * ```ts
 * const handler: JobFunction<{ url: string }, { bytes: number }> = async ({ url }, { signal }) => ({ bytes: (await fetch(url, { signal })).headers.get('content-length')?.length ?? 0 });
 * ```
 */
export type JobFunction<TPayload, TResult> = (payload: TPayload, job: JobContext) => Promise<TResult>;

/**
 * A pool handler: the payload is the task's input, its progress reports
 * (numbers, 0-100) are the job's progress, its result the job's result.
 * It is alive while its thread runs it, bounded by `timeoutMs`.
 *
 * @example
 * ```ts
 * const handler: JobTaskHandler<{ path: string }, { sha256: string }> = { pool: 'cpu', task: checksumTask };
 * ```
 */
export interface JobTaskHandler<TPayload, TResult> {
  readonly pool: string;
  readonly task: TaskDefinition<TPayload, TResult, number> | TaskDefinition<TPayload, TResult, never>;
}

/**
 * Retries of a failed attempt: up to `attempts` attempts in all, the n-th
 * retry after `delayMs · 2^(n-1)` (at most `maxDelayMs`), of which a random
 * share up to `jitter` is taken off, so a burst of failures does not retry
 * in lockstep. Failures whose code is in `noRetryCodes` fail the job at once.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { attempts: 5, backoff: { delayMs: 1_000, maxDelayMs: 60_000, jitter: 0.5 }, noRetryCodes: ['ERR_INVALID_INPUT'] };
 * ```
 */
export interface RetryOptions {
  /** Attempts in all (1: never retry). Default 3. */
  readonly attempts?: number;
  readonly backoff?: { readonly delayMs?: number; readonly maxDelayMs?: number; readonly jitter?: number };
  readonly noRetryCodes?: readonly string[];
}

/**
 * How long finished jobs are kept: at most `count` of them, none older than `ageMs`.
 *
 * @example
 * ```ts
 * const retention: QueueOptions<z.ZodType, unknown>['retention'] = { completed: { count: 1_000, ageMs: 24 * 3600_000 }, failed: { count: 10_000 } };
 * ```
 */
export interface RetentionRule {
  readonly count?: number;
  readonly ageMs?: number;
}

/**
 * Options of {@link defineQueue}.
 *
 * @example
 * ```ts
 * const thumbnailTask = defineTask({
 *   name: 'thumbnail', module: new URL('./tasks/thumbnail.js', import.meta.url),
 *   input: z.object({ path: z.string() }), result: z.object({ path: z.string() }), progress: z.number(),
 * });
 * defineQueue({ name: 'thumbnails', payload: z.object({ path: z.string() }), concurrency: 4, handler: { pool: 'cpu', task: thumbnailTask } });
 * ```
 */
export interface QueueOptions<TSchema extends z.ZodType, TResult> {
  /** The queue's name: its actor's key, and the prefix of its actor type (`steward.queue.<name>`). */
  readonly name: string;
  /** Every payload is parsed with it at enqueue; a bad one is `ERR_INVALID_MESSAGE` and nothing is stored. */
  readonly payload: TSchema;
  /** Jobs running at once (claimed by external consumers included). Default 1. */
  readonly concurrency?: number;
  readonly retry?: RetryOptions;
  /** An external consumer's lease, renewed by each heartbeat or progress report. Default 30,000 ms. */
  readonly leaseMs?: number;
  /** Bound on one attempt run by the queue itself (pool task or function). Default 300,000 ms. */
  readonly timeoutMs?: number;
  /** At most `max` jobs started per `intervalMs`. */
  readonly rateLimit?: { readonly max: number; readonly intervalMs: number };
  readonly retention?: { readonly completed?: RetentionRule; readonly failed?: RetentionRule };
  /**
   * Who runs the jobs: a pool task, an in-process function, or nobody
   * (omit it): then jobs wait for external consumers to claim them (the
   * `claim` message, or the HTTP pull API).
   */
  readonly handler?: JobTaskHandler<z.output<TSchema>, TResult> | JobFunction<z.output<TSchema>, TResult>;
  /** The bus to publish on. Default: a new one (`events` of the result). */
  readonly events?: QueueEventBus;
}

/** Options with every default filled in. @internal */
export interface ResolvedQueueOptions {
  readonly name: string;
  readonly concurrency: number;
  readonly attempts: number;
  readonly backoff: { readonly delayMs: number; readonly maxDelayMs: number; readonly jitter: number };
  readonly noRetryCodes: ReadonlySet<string>;
  readonly leaseMs: number;
  readonly timeoutMs: number;
  readonly rateLimit: { readonly max: number; readonly intervalMs: number } | undefined;
  readonly retention: { readonly completed: Required<RetentionRule>; readonly failed: Required<RetentionRule> };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Checks and completes options. @internal */
export function resolveQueueOptions(options: QueueOptions<z.ZodType, unknown>): ResolvedQueueOptions {
  if (typeof options.name !== 'string' || !NAME.test(options.name)) {
    throw new InvalidConfigError(`queue name ${JSON.stringify(options.name)} must be 1-64 characters: letters, digits, _ . - (not first)`);
  }
  const where = `queue '${options.name}'`;
  const int = (label: string, value: number, min: number): number => {
    if (!Number.isInteger(value) || value < min) throw new InvalidConfigError(`${where}: ${label} must be an integer ≥ ${min}, got ${String(value)}`);
    return value;
  };
  const jitter = options.retry?.backoff?.jitter ?? 0.5;
  if (!(jitter >= 0 && jitter <= 1)) throw new InvalidConfigError(`${where}: retry.backoff.jitter must be between 0 and 1, got ${String(jitter)}`);
  const rule = (label: string, value: RetentionRule | undefined): Required<RetentionRule> => ({
    count: int(`retention.${label}.count`, value?.count ?? 1_000, 0),
    ageMs: int(`retention.${label}.ageMs`, value?.ageMs ?? 7 * 24 * 3600_000, 0),
  });
  return {
    name: options.name,
    concurrency: int('concurrency', options.concurrency ?? 1, 1),
    attempts: int('retry.attempts', options.retry?.attempts ?? 3, 1),
    backoff: {
      delayMs: int('retry.backoff.delayMs', options.retry?.backoff?.delayMs ?? 1_000, 0),
      maxDelayMs: int('retry.backoff.maxDelayMs', options.retry?.backoff?.maxDelayMs ?? 3_600_000, 0),
      jitter,
    },
    noRetryCodes: new Set(options.retry?.noRetryCodes ?? []),
    leaseMs: int('leaseMs', options.leaseMs ?? 30_000, 1),
    timeoutMs: int('timeoutMs', options.timeoutMs ?? 300_000, 1),
    rateLimit: options.rateLimit && { max: int('rateLimit.max', options.rateLimit.max, 1), intervalMs: int('rateLimit.intervalMs', options.rateLimit.intervalMs, 1) },
    retention: { completed: rule('completed', options.retention?.completed), failed: rule('failed', options.retention?.failed) },
  };
}

/**
 * Delay before the retry that follows failed attempt number `attempt`
 * (1-based): exponential, capped, with up to `jitter` of it taken off at random.
 * @internal
 */
export function retryDelay(backoff: ResolvedQueueOptions['backoff'], attempt: number, random: Random): number {
  const full = Math.min(backoff.maxDelayMs, backoff.delayMs * 2 ** Math.min(30, attempt - 1));
  return Math.round(full * (1 - backoff.jitter * random.next()));
}
