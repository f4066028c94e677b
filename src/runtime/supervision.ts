import type { Random } from './random.js';

/**
 * What happens when a handler (or a lifecycle hook) throws:
 * - `restart`: fresh state (from `load`, else `initialState`) after an
 *   exponential backoff with jitter; more than `maxRestarts` within
 *   `withinMs` stops the actor for good;
 * - `resume`: keep the state, drop the message, go on (a failure while the
 *   actor is still activating stops it: there is no state to keep);
 * - `stop`: stop the actor for good.
 * In every case the `ask` whose message crashed rejects with the error as `cause`.
 *
 * @example
 * ```ts
 * defineActor({
 *   name: 'tolerant',
 *   messages: { work: z.object({}) },
 *   initialState: (_key: string) => ({}),
 *   handlers: { work: () => {} },
 *   supervision: { strategy: 'resume' }, // a message that crashes the handler is dropped, the state kept
 * });
 * ```
 */
export type SupervisionStrategy = 'restart' | 'resume' | 'stop';

/**
 * Supervision settings of an actor type; every field has a default.
 *
 * @example
 * ```ts
 * defineActor({
 *   name: 'flaky',
 *   messages: { work: z.object({}) },
 *   initialState: (_key: string) => ({}),
 *   handlers: { work: () => {} },
 *   supervision: { strategy: 'restart', maxRestarts: 3, withinMs: 10_000, minBackoffMs: 50 },
 * });
 * ```
 */
export interface SupervisionOptions {
  /** Default `restart`. */
  readonly strategy?: SupervisionStrategy;
  /** Restarts allowed within `withinMs` before the actor is stopped for good. Default 5. */
  readonly maxRestarts?: number;
  /** Default 60,000 ms. */
  readonly withinMs?: number;
  /** First backoff. Default 100 ms. */
  readonly minBackoffMs?: number;
  /** Backoff ceiling. Default 10,000 ms. */
  readonly maxBackoffMs?: number;
  /** Random spread of each backoff, as a fraction (0.2 = ±20 %). Default 0.2. */
  readonly jitter?: number;
}

/** What the supervisor decided for one failure. */
export type SupervisionDecision =
  | { readonly action: 'resume' }
  | { readonly action: 'stop' }
  | { readonly action: 'restart'; readonly attempt: number; readonly delayMs: number };

/**
 * Decides, failure by failure, what one actor's supervisor does. It keeps the
 * times of recent restarts to enforce the restart window.
 * @internal
 */
export class Supervisor {
  readonly #strategy: SupervisionStrategy;
  readonly #maxRestarts: number;
  readonly #withinMs: number;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #jitter: number;
  #restarts: number[] = [];

  constructor(options: SupervisionOptions = {}) {
    this.#strategy = options.strategy ?? 'restart';
    this.#maxRestarts = options.maxRestarts ?? 5;
    this.#withinMs = options.withinMs ?? 60_000;
    this.#minBackoffMs = options.minBackoffMs ?? 100;
    this.#maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.#jitter = options.jitter ?? 0.2;
  }

  decide(now: number, random: Random): SupervisionDecision {
    if (this.#strategy !== 'restart') return { action: this.#strategy };
    this.#restarts = this.#restarts.filter((at) => now - at < this.#withinMs);
    if (this.#restarts.length >= this.#maxRestarts) return { action: 'stop' };
    this.#restarts.push(now);
    const attempt = this.#restarts.length;
    const base = Math.min(this.#maxBackoffMs, this.#minBackoffMs * 2 ** (attempt - 1));
    const spread = base * this.#jitter * (random.next() * 2 - 1);
    return { action: 'restart', attempt, delayMs: Math.max(0, Math.round(base + spread)) };
  }
}
