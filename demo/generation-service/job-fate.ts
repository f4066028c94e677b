/**
 * Options of the local generation service and the seeded draws that decide
 * what happens to each job. A job's fate is drawn from a PRNG seeded by
 * (seed, jobId), so it does not depend on the order in which concurrent
 * requests happen to arrive: one seed, one fate per job, on every run.
 * @internal
 */
import { realClock, type Clock } from '../../src/index.js';
import { InvalidConfigError } from '../../src/index.js';
import { SeededRandom } from '../../src/index.js';

/** Options of the local generation service; every rate is a probability in [0, 1]. */
export interface GenerationServiceOptions {
  /** Seeds every random draw (default 1). */
  readonly seed?: number;
  /** Shortest time from submission to completion (default 5 ms). */
  readonly minDelayMs?: number;
  /** Longest time from submission to completion (default 30 ms). */
  readonly maxDelayMs?: number;
  /** Submissions answered 500/503 with nothing created (default 0). */
  readonly submitFailureRate?: number;
  /** Submissions whose job is created but whose connection is then cut, so the client sees a failure (default 0). */
  readonly ackLossRate?: number;
  /** Jobs finished inside the submission's response, the synchronous completion path (default 0). */
  readonly syncCompletionRate?: number;
  /** Jobs that end `failed` with an error (default 0). */
  readonly jobFailureRate?: number;
  /** Completions whose webhook is sent twice (default 0). */
  readonly webhookDuplicateRate?: number;
  /** Completions whose webhook is never sent, so only a poller learns of them (default 0). */
  readonly webhookDropRate?: number;
  /** Most jobs kept; past it submissions get 503 `ERR_SERVICE_FULL` (default 100,000). */
  readonly maxJobs?: number;
  /** Signs every webhook delivery (HMAC-SHA256, `steward-signature`); empty: unsigned, which receivers refuse (default ''). */
  readonly webhookSecret?: string;
  /** Bound on one webhook delivery (default 5000 ms). */
  readonly webhookTimeoutMs?: number;
  /** Drives job delays (default: the wall clock, whose timers never keep a process alive). */
  readonly clock?: Clock;
}

/** Options with defaults applied and checked. @internal */
export type ResolvedOptions = Required<GenerationServiceOptions>;

/** What will happen to one job. @internal */
export interface JobFate {
  readonly delayMs: number;
  readonly sync: boolean;
  readonly fails: boolean;
  readonly dropWebhook: boolean;
  readonly duplicateWebhook: boolean;
}

const RATES = [
  'submitFailureRate',
  'ackLossRate',
  'syncCompletionRate',
  'jobFailureRate',
  'webhookDuplicateRate',
  'webhookDropRate',
] as const;

/** Applies defaults and refuses unusable options with `ERR_INVALID_CONFIG`. @internal */
export function resolveOptions(options: GenerationServiceOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    seed: 1,
    minDelayMs: 5,
    maxDelayMs: 30,
    submitFailureRate: 0,
    ackLossRate: 0,
    syncCompletionRate: 0,
    jobFailureRate: 0,
    webhookDuplicateRate: 0,
    webhookDropRate: 0,
    maxJobs: 100_000,
    webhookTimeoutMs: 5_000,
    webhookSecret: '',
    clock: realClock,
    ...definedOnly(options),
  };
  for (const rate of RATES) {
    const value = resolved[rate];
    if (!(value >= 0 && value <= 1)) throw new InvalidConfigError(`generation service: ${rate} must be in [0, 1], got ${value}`);
  }
  const { minDelayMs, maxDelayMs, maxJobs, webhookTimeoutMs, seed } = resolved;
  if (!Number.isInteger(seed)) throw new InvalidConfigError(`generation service: seed must be an integer, got ${seed}`);
  if (!(Number.isInteger(minDelayMs) && minDelayMs >= 0 && Number.isInteger(maxDelayMs) && maxDelayMs >= minDelayMs)) {
    throw new InvalidConfigError(
      `generation service: delays must be integers with 0 <= minDelayMs <= maxDelayMs, got ${minDelayMs}..${maxDelayMs}`,
    );
  }
  if (!(Number.isInteger(maxJobs) && maxJobs > 0)) throw new InvalidConfigError(`generation service: maxJobs must be a positive integer, got ${maxJobs}`);
  if (!(webhookTimeoutMs > 0)) throw new InvalidConfigError(`generation service: webhookTimeoutMs must be positive, got ${webhookTimeoutMs}`);
  return resolved;
}

/** Draws a job's fate; the order of draws is fixed so a seed keeps its meaning. @internal */
export function drawFate(options: ResolvedOptions, jobId: string): JobFate {
  const random = new SeededRandom(hash32(`${options.seed}:${jobId}`));
  const span = options.maxDelayMs - options.minDelayMs;
  const delayMs = options.minDelayMs + Math.floor(random.next() * (span + 1));
  const sync = random.next() < options.syncCompletionRate;
  const fails = random.next() < options.jobFailureRate;
  const dropWebhook = random.next() < options.webhookDropRate;
  const duplicateWebhook = random.next() < options.webhookDuplicateRate && !dropWebhook;
  return { delayMs, sync, fails, dropWebhook, duplicateWebhook };
}

/** FNV-1a: a stable 32-bit hash, enough to spread seeds across job ids. */
function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Drops `undefined` values so they do not override defaults. */
function definedOnly(options: GenerationServiceOptions): Partial<ResolvedOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<ResolvedOptions>;
}
