import { SeededRandom } from '../random.js';
import { InvalidFaultPlanError, InvalidReplayError } from './errors.js';
import { runSchedule } from './run-schedule.js';
import type { ScheduleResult } from './schedule-result.js';
import type { PlannedFault, Scenario } from './scenario.js';
import { guided, STRATEGIES, type StrategyName } from './strategies.js';

/**
 * How to explore a scenario.
 *
 * @example
 * ```ts
 * const report = await explore(doubleStart, { schedules: 5_000, strategy: 'lazy-time', stopOnViolation: false });
 * ```
 */
export interface ExploreOptions {
  /** Number of schedules (one seed each). Default 100. */
  readonly schedules?: number;
  /** First seed; schedule i uses `firstSeed + i`. Default 1. */
  readonly firstSeed?: number;
  /** Default `portfolio`. */
  readonly strategy?: StrategyName;
  /** PCT bug depth. Default 3. */
  readonly depth?: number;
  /**
   * Chance of a fault at each step, for scenarios that allow faults. Default:
   * varied per seed (0, 1 %, 3 % or 8 %), so some schedules run fault-free.
   */
  readonly faultProbability?: number;
  /**
   * Faults at chosen steps instead of random ones (see {@link PlannedFault}):
   * every schedule gets this plan. Each kind must be one the scenario allows.
   */
  readonly faultPlan?: readonly PlannedFault[];
  /** Stop at the first violation. Default true. */
  readonly stopOnViolation?: boolean;
  /** Called after each schedule (progress bars). */
  readonly onSchedule?: (result: ScheduleResult, index: number) => void;
}

/**
 * What an exploration tested: for each action, the share of schedules in
 * which every run of it ran to its end; for each `eventually` goal, the share
 * in which the system reached it (precondition true, goal held).
 *
 * @example
 * ```ts
 * const { coverage } = await explore(doubleStart, { schedules: 1_000 });
 * for (const [action, share] of Object.entries(coverage.actions)) console.log(action, (share * 100).toFixed(1), '%');
 * ```
 */
export interface Coverage {
  readonly actions: Readonly<Record<string, number>>;
  readonly eventually: Readonly<Record<string, number>>;
}

/**
 * What an exploration found.
 *
 * @example
 * ```ts
 * const { violations, schedulesPerSecond } = await explore(doubleStart, { schedules: 1_000 });
 * console.log(`${violations.length} violation(s), ${schedulesPerSecond.toFixed(0)} schedules/s`);
 * ```
 */
export interface ExploreReport<TSummary = unknown> {
  readonly scenario: string;
  readonly schedules: number;
  readonly violations: readonly ScheduleResult<TSummary>[];
  readonly coverage: Coverage;
  /** The scenario's `summarize` of each schedule, in seed order (empty without `summarize`). */
  readonly summaries: readonly TSummary[];
  readonly elapsedMs: number;
  readonly schedulesPerSecond: number;
}

const FAULT_LEVELS = [0, 0.01, 0.03, 0.08];

/**
 * Runs one seeded schedule with a named strategy.
 *
 * @example
 * ```ts
 * const result = await runSeed(doubleStart, 42, 'pct');
 * if (result.violation) console.log(timeline(result));
 * ```
 */
export async function runSeed<TCtx, TSummary>(
  scenario: Scenario<TCtx, TSummary>,
  seed: number,
  strategy: StrategyName,
  options: Pick<ExploreOptions, 'depth' | 'faultProbability' | 'faultPlan'> & { readonly stackTraces?: boolean } = {},
): Promise<ScheduleResult<TSummary>> {
  const maxSteps = scenario.maxSteps ?? 500;
  const factory = STRATEGIES[strategy];
  if (!factory) throw new InvalidReplayError(`unknown strategy '${strategy}' (known: ${Object.keys(STRATEGIES).join(', ')})`);
  const planError = options.faultPlan && faultPlanProblem(scenario, options.faultPlan);
  if (planError) throw new InvalidFaultPlanError(planError);
  return runSchedule(scenario, {
    ...(options.faultPlan ? { faultPlan: options.faultPlan } : {}),
    seed,
    strategy: () => factory(new SeededRandom(seed), { maxSteps, seed, ...(options.depth === undefined ? {} : { depth: options.depth }) }),
    faultProbability: options.faultProbability ?? (FAULT_LEVELS[seed % FAULT_LEVELS.length] as number),
    stackTraces: options.stackTraces ?? false,
  });
}

/** What is wrong with a fault plan for `scenario`, if anything. */
function faultPlanProblem(scenario: Pick<Scenario<unknown>, 'name' | 'faults'>, plan: readonly PlannedFault[]): string | undefined {
  const allowed = new Set<string>(scenario.faults ?? []);
  for (const [index, fault] of plan.entries()) {
    if (!Number.isSafeInteger(fault.step) || fault.step < 0) return `faultPlan[${index}].step must be a step index (an integer >= 0), got ${String(fault.step)}`;
    if (!allowed.has(fault.kind)) {
      return `faultPlan[${index}] asks for '${String(fault.kind)}', which scenario '${scenario.name}' does not allow (its faults: ${[...allowed].join(', ') || 'none'})`;
    }
  }
  return undefined;
}

/**
 * Explores a scenario over many seeded schedules and reports every violation
 * found (each replayable from its seed).
 *
 * @example
 * ```ts
 * const report = await explore(doubleStart, { schedules: 1_000, strategy: 'pct' });
 * for (const failure of report.violations) console.log(replayLine(failure));
 * ```
 */
export async function explore<TCtx, TSummary>(scenario: Scenario<TCtx, TSummary>, options: ExploreOptions = {}): Promise<ExploreReport<TSummary>> {
  const schedules = options.schedules ?? 100;
  const firstSeed = options.firstSeed ?? 1;
  const strategy = options.strategy ?? 'portfolio';
  const violations: ScheduleResult<TSummary>[] = [];
  const summaries: TSummary[] = [];
  const actionRuns = new Map(scenario.actions.map((action) => [action.name, 0]));
  const goalRuns = new Map(Object.keys(scenario.eventually ?? {}).map((name) => [name, 0]));
  const started = performance.now();
  let ran = 0;
  for (; ran < schedules; ran++) {
    const result = await runSeed(scenario, firstSeed + ran, strategy, options);
    for (const name of result.coverage.actions) actionRuns.set(name, (actionRuns.get(name) ?? 0) + 1);
    for (const name of result.coverage.goals) goalRuns.set(name, (goalRuns.get(name) ?? 0) + 1);
    if (scenario.summarize) summaries.push(result.summary as TSummary);
    options.onSchedule?.(result, ran);
    if (result.violation) {
      violations.push(result);
      if (options.stopOnViolation ?? true) {
        ran++;
        break;
      }
    }
  }
  const elapsedMs = performance.now() - started;
  const share = (runs: Map<string, number>) => Object.fromEntries([...runs].map(([name, count]) => [name, ran === 0 ? 0 : count / ran]));
  const coverage = { actions: share(actionRuns), eventually: share(goalRuns) };
  return { scenario: scenario.name, schedules: ran, violations, coverage, summaries, elapsedMs, schedulesPerSecond: ran / Math.max(elapsedMs / 1000, 1e-9) };
}

/**
 * The one line that reproduces a schedule: `scenario=NAME strategy=S seed=N`,
 * and for a shrunk (guided) run `strategy=guided seed=N picks=…`, the choice
 * made at each step.
 *
 * @example
 * ```ts
 * const [result] = (await explore(doubleStart, { strategy: 'pct' })).violations;
 * if (result) {
 *   replayLine(result); // 'scenario=double-start strategy=pct seed=42'
 *   replayLine(await shrink(doubleStart, result)); // 'scenario=double-start strategy=guided seed=42 picks=0.2.f1.0'
 * }
 * ```
 */
export function replayLine(result: Pick<ScheduleResult, 'scenario' | 'strategy' | 'seed'> & { readonly picks?: string | undefined }): string {
  const line = `scenario=${result.scenario} strategy=${result.strategy} seed=${result.seed}`;
  return result.picks === undefined ? line : `${line} picks=${result.picks}`;
}

/**
 * Parses a replay line. Throws `ERR_INVALID_REPLAY` on anything else.
 *
 * @example
 * ```ts
 * parseReplayLine('scenario=double-start strategy=pct seed=42'); // { scenario: 'double-start', strategy: 'pct', seed: 42 }
 * ```
 */
export function parseReplayLine(line: string): { scenario: string; strategy: StrategyName | 'guided'; seed: number; picks?: readonly string[] } {
  const fields = new Map(
    line
      .trim()
      .split(/\s+/)
      .map((field) => field.split('=', 2) as [string, string | undefined]),
  );
  const scenario = fields.get('scenario');
  const strategy = fields.get('strategy');
  const seed = Number(fields.get('seed'));
  const picks = fields.get('picks');
  const guided = strategy === 'guided' && picks !== undefined && /^(f?\d+)?(\.f?\d+)*$/.test(picks);
  if (!scenario || !strategy || !Number.isSafeInteger(seed) || !(guided || (strategy in STRATEGIES && picks === undefined))) {
    throw new InvalidReplayError(
      `not a replay line: '${line}' (expected 'scenario=NAME strategy=${Object.keys(STRATEGIES).join('|')} seed=N' or 'scenario=NAME strategy=guided seed=N picks=P.P.…')`,
    );
  }
  if (guided) return { scenario, strategy: 'guided', seed, picks: picks === '' ? [] : picks.split('.') };
  return { scenario, strategy: strategy as StrategyName, seed };
}

/**
 * Runs a replay line again: the same seed and strategy give the identical run (same trace hash).
 *
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * const [failing] = (await explore(doubleStart, { strategy: 'pct', schedules: 1_000 })).violations;
 * if (failing) {
 *   const again = await replay(doubleStart, replayLine(failing)); // 'scenario=double-start strategy=pct seed=42'
 *   expect(again.hash).toBe(failing.hash);
 * }
 * ```
 */
export async function replay<TCtx, TSummary>(scenario: Scenario<TCtx, TSummary>, line: string): Promise<ScheduleResult<TSummary>> {
  const parsed = parseReplayLine(line);
  if (parsed.scenario !== scenario.name) throw new InvalidReplayError(`replay line is for '${parsed.scenario}', not '${scenario.name}'`);
  if (parsed.strategy === 'guided') {
    const picks = parsed.picks ?? [];
    const strategy = { name: 'guided', pick: (_enabled: unknown, step: number) => Number(picks[step] ?? 0) };
    return runSchedule(scenario, { seed: parsed.seed, strategy: () => strategy, faultProbability: 0, picks, stackTraces: true });
  }
  return runSeed(scenario, parsed.seed, parsed.strategy, { stackTraces: true });
}

/**
 * Runs each of `seeds` twice and returns the seeds whose two runs differ
 * (different trace hashes): an empty list means the scenario is deterministic.
 *
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * expect(await checkDeterminism(doubleStart, [1, 2, 3])).toEqual([]);
 * ```
 */
export async function checkDeterminism<TCtx, TSummary>(scenario: Scenario<TCtx, TSummary>, seeds: readonly number[], strategy: StrategyName = 'portfolio'): Promise<number[]> {
  const differing: number[] = [];
  for (const seed of seeds) {
    const [first, second] = [await runSeed(scenario, seed, strategy), await runSeed(scenario, seed, strategy)];
    if (first.hash !== second.hash) differing.push(seed);
  }
  return differing;
}

/**
 * Shrinks a failing schedule: replays it guided by its own trace while
 * dropping faults, then cutting steps, keeping each change that still fails.
 * Returns the shortest failing run found (its `strategy` is `guided`).
 *
 * @example
 * ```ts
 * const report = await explore(doubleStart, { schedules: 1_000 });
 * const [first] = report.violations;
 * if (first) console.log(timeline(await shrink(doubleStart, first)));
 * ```
 */
export async function shrink<TCtx, TSummary>(scenario: Scenario<TCtx, TSummary>, failing: ScheduleResult<TSummary>, budget = 200): Promise<ScheduleResult<TSummary>> {
  let best = failing;
  let labels = failing.trace.map((step) => step.label);
  const attempt = async (candidate: string[]): Promise<boolean> => {
    if (budget-- <= 0) return false;
    const result = await runSchedule(scenario, { seed: failing.seed, strategy: () => guided(candidate), faultProbability: 0, guide: candidate });
    if (result.violation?.name !== failing.violation?.name || result.steps > best.steps) return false;
    best = result;
    labels = result.trace.map((step) => step.label);
    return true;
  };
  for (const fault of labels.filter((label) => label.startsWith('fault: '))) {
    const index = labels.indexOf(fault);
    if (index >= 0) await attempt([...labels.slice(0, index), ...labels.slice(index + 1)]);
  }
  for (let chunk = Math.max(1, Math.floor(labels.length / 2)); chunk >= 1 && budget > 0; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; start + chunk <= labels.length && budget > 0; ) {
      if (!(await attempt([...labels.slice(0, start), ...labels.slice(start + chunk)]))) start += chunk;
    }
  }
  return best;
}
