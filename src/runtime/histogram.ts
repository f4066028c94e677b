/** Fixed-bucket timing histograms, the shape Prometheus exposes (cumulative counts per upper bound). */

/** Upper bounds in milliseconds, from a cheap turn to a slow fsync. */
export const TIMING_BUCKETS_MS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 5_000];

/**
 * A snapshot of one histogram: how many observations fell at or under each
 * bound (cumulative, the last bound `Infinity`), their count and their sum.
 *
 * @example
 * ```ts
 * const { count, sumMs, buckets } = system.metrics().turns.durationMs;
 * const under1ms = buckets.find((bucket) => bucket.le === 1)?.count ?? 0;
 * console.log(`mean ${(sumMs / count).toFixed(3)} ms, ${((under1ms / count) * 100).toFixed(0)} % under 1 ms`);
 * ```
 */
export interface HistogramSnapshot {
  readonly count: number;
  readonly sumMs: number;
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
}

/** @internal */
export class TimingHistogram {
  readonly #counts = new Array<number>(TIMING_BUCKETS_MS.length + 1).fill(0);
  #count = 0;
  #sum = 0;

  record(ms: number): void {
    let bucket = 0;
    while (bucket < TIMING_BUCKETS_MS.length && ms > (TIMING_BUCKETS_MS[bucket] as number)) bucket++;
    this.#counts[bucket] = (this.#counts[bucket] as number) + 1;
    this.#count++;
    this.#sum += ms;
  }

  snapshot(): HistogramSnapshot {
    let cumulative = 0;
    const buckets = this.#counts.map((count, at) => ({ le: TIMING_BUCKETS_MS[at] ?? Infinity, count: (cumulative += count) }));
    return { count: this.#count, sumMs: this.#sum, buckets };
  }
}
