/**
 * A broken promise of a scenario, and when it broke.
 *
 * @example
 * ```ts
 * const { violation } = await runSeed(doubleStart, 42, 'pct');
 * if (violation) console.log(`[${violation.kind}] ${violation.name} after step ${violation.step}: ${violation.message}`);
 * ```
 */
export interface Violation {
  readonly kind: 'invariant' | 'eventually' | 'deadlock' | 'error';
  /** The invariant's name, or what went wrong. */
  readonly name: string;
  readonly message: string;
  /** Index of the step after which it was seen. */
  readonly step: number;
}

/**
 * One step of a run, for timelines.
 *
 * @example
 * ```ts
 * for (const { at, label } of result.trace) console.log(`${at} ms  ${label}`);
 * ```
 */
export interface TraceStep {
  readonly label: string;
  /** Virtual time when the step ran. */
  readonly at: number;
}

/**
 * What one schedule did.
 *
 * @example
 * ```ts
 * const result: ScheduleResult = await runSeed(doubleStart, 42, 'pct');
 * console.log(replayLine(result), result.steps, result.hash);
 * ```
 */
export interface ScheduleResult {
  readonly scenario: string;
  readonly strategy: string;
  readonly seed: number;
  readonly steps: number;
  readonly trace: readonly TraceStep[];
  /** FNV-1a of the trace labels: equal hashes mean the same run (computed when first read). */
  readonly hash: string;
  readonly violation: Violation | undefined;
}

/**
 * A finished schedule. A class rather than an object literal for the lazy
 * `hash`: a getter in an object literal gets its accessor pair allocated in
 * V8's old space, and from there it kept each run's whole world reachable to
 * the young-generation GC until the next full GC.
 * @internal
 */
export class Schedule implements ScheduleResult {
  #hash: string | undefined;

  constructor(
    readonly scenario: string,
    readonly strategy: string,
    readonly seed: number,
    readonly trace: readonly TraceStep[],
    readonly violation: Violation | undefined,
  ) {}

  get steps(): number {
    return this.trace.length;
  }

  // Most explored schedules are never compared: hash on demand.
  get hash(): string {
    return (this.#hash ??= hashTrace(this.trace));
  }
}

/**
 * FNV-1a (32 bit) over the step labels.
 *
 * @example
 * ```ts
 * hashTrace(result.trace) === result.hash; // true
 * ```
 */
export function hashTrace(trace: readonly TraceStep[]): string {
  let hash = 0x811c9dc5;
  for (const { label } of trace) {
    for (let i = 0; i < label.length; i++) {
      hash ^= label.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    hash ^= 0x0a;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
