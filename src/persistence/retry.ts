/**
 * Bounded retries for I/O errors that go away on their own (a busy file, a
 * momentarily exhausted descriptor table). Anything else fails at once.
 */
import type { Clock } from '../runtime/ports/index.js';

/**
 * How the persistence actor retries a transient store failure.
 *
 * @example
 * ```ts
 * new Persistence(store, { retry: { attempts: 5, baseDelayMs: 2, maxDelayMs: 50 } });
 * ```
 */
export interface RetryOptions {
  /** Total tries, the first included. Default 4. */
  readonly attempts?: number;
  /** Delay before the first retry; doubles each time. Default 2 ms. */
  readonly baseDelayMs?: number;
  /** Cap on one delay. Default 50 ms. */
  readonly maxDelayMs?: number;
}

/**
 * Error codes worth retrying: the operation may succeed unchanged a moment
 * later. Besides the I/O ones, PostgreSQL's for a transaction that was
 * rolled back whole before COMMIT: its session ended (terminated, idle in
 * transaction too long, connection lost), a serialization failure or a
 * deadlock. A failure at COMMIT itself is `ERR_COMMIT_OUTCOME_UNKNOWN`, which
 * is never retried.
 */
export const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'EAGAIN',
  'EBUSY',
  'EMFILE',
  'ENFILE',
  'EINTR',
  'ETIMEDOUT',
  'ECONNRESET',
  '57P01',
  '25P03',
  '08000',
  '08003',
  '08006',
  '40001',
  '40P01',
]);

/**
 * True if `error`, or an error in its `cause` chain, has a transient code,
 * unless a commit's outcome is unknown on the way (it may have landed: a retry
 * could write it twice, so it is never retried).
 *
 * @example
 * ```ts
 * isTransientError(Object.assign(new Error('busy'), { code: 'EBUSY' })); // true
 * ```
 */
export function isTransientError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === 'ERR_COMMIT_OUTCOME_UNKNOWN' || code === 'ERR_LOCK_LOST') return false;
    if (typeof code === 'string' && TRANSIENT_ERROR_CODES.has(code)) return true;
  }
  return false;
}

/**
 * Runs `operation`, retrying transient failures with exponential backoff on
 * `clock`. `operation` receives the try number (1-based). A failure that is
 * not transient, or the last one, is rethrown unchanged.
 * @internal
 */
export function withRetry<T>(operation: (attempt: number) => Promise<T>, clock: Clock, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const base = options.baseDelayMs ?? 2;
  const cap = options.maxDelayMs ?? 50;
  // A promise chain that grows only on failure: the first try costs no async frame of its own.
  const attempt = (tries: number): Promise<T> =>
    operation(tries).catch((error: unknown) => {
      if (tries >= attempts || !isTransientError(error)) throw error;
      return new Promise<void>((resolve) => clock.setTimer(Math.min(cap, base * 2 ** (tries - 1)), resolve)).then(() => attempt(tries + 1));
    });
  return attempt(1);
}
