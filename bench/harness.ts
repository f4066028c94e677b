/**
 * The benchmark harness: every group measures steward against a baseline in
 * the same process and reports named figures. `run.ts` discovers the groups.
 */

/** One named figure, as written to `bench/results.json`. */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The target, e.g. `">= 0.5"`; omitted for figures that only inform. */
  readonly target?: string;
}

/** A benchmark group: `bench/<name>.bench.ts` default-exports one. */
export interface BenchGroup {
  /** Prefix of every figure in the group, e.g. `runtime`. */
  readonly name: string;
  run(report: (figure: BenchFigure) => void): Promise<void>;
}

/** Runs `fn` repeatedly for about `ms` milliseconds and returns operations per second. */
export async function opsPerSecond(ms: number, batch: number, fn: (n: number) => Promise<void>): Promise<number> {
  await fn(Math.min(batch, 1000)); // warm up
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn(batch);
    ops += batch;
  }
  return ops / ((performance.now() - start) / 1000);
}

/** The `p`-th percentile (0..100) of `samples`. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/** Rounds to 3 significant digits, to keep results.json readable. */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = 3 - Math.ceil(Math.log10(Math.abs(value)));
  const factor = 10 ** Math.max(0, digits);
  return Math.round(value * factor) / factor;
}

/** Forces a full GC; the bench runs with `--expose-gc`. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the benchmarks with node --expose-gc (npm run bench does)');
  gc();
  gc();
}
