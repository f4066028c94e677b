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
 * const result = await runSeed(doubleStart, 42, 'pct');
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
export interface ScheduleResult<TSummary = unknown> {
  readonly scenario: string;
  readonly strategy: string;
  readonly seed: number;
  readonly steps: number;
  readonly trace: readonly TraceStep[];
  /** FNV-1a of the trace labels: equal hashes mean the same run (computed when first read). */
  readonly hash: string;
  readonly violation: Violation | undefined;
  /** What the run tested: the actions that ran to their end, the `eventually` goals the system reached. */
  readonly coverage: ScheduleCoverage;
  /** The scenario's `summarize` of the run's end, if it has one. */
  readonly summary: TSummary | undefined;
  /** For a guided run (a shrunk one): the choice made at each step, which `replayLine` prints so that the line replays it. */
  readonly picks: string | undefined;
}

/**
 * What one schedule tested.
 *
 * @example
 * ```ts
 * const { coverage } = await runSeed(doubleStart, 42, 'pct');
 * console.log(`ran: ${coverage.actions.join(', ')}; reached: ${coverage.goals.join(', ')}`);
 * ```
 */
export interface ScheduleCoverage {
  /** Names of the actions every one of whose runs (`times`) returned or settled. */
  readonly actions: readonly string[];
  /** Names of the `eventually` goals that held with their precondition true. */
  readonly goals: readonly string[];
}

/**
 * A finished schedule. A class rather than an object literal for the lazy
 * `hash`: a getter in an object literal gets its accessor pair allocated in
 * V8's old space, and from there it kept each run's whole world reachable to
 * the young-generation GC until the next full GC.
 * @internal
 */
export class Schedule<TSummary = unknown> implements ScheduleResult<TSummary> {
  #hash: string | undefined;

  constructor(
    readonly scenario: string,
    readonly strategy: string,
    readonly seed: number,
    readonly trace: readonly TraceStep[],
    readonly violation: Violation | undefined,
    readonly coverage: ScheduleCoverage,
    readonly summary: TSummary | undefined,
    readonly picks: string | undefined,
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
 * const result = await runSeed(doubleStart, 42, 'pct');
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
