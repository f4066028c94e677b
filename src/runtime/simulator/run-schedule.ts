import { SeededRandom } from '../random.js';
import type { Operation } from './operations.js';
import { taskModuleImportCount, taskModulesLoaded } from '../../pools/task-runner.js';
import { RealWorldGuard } from './real-world-guard.js';
import { describe, OutsideActions } from './outside-actions.js';
import type { Check, Goal, PlannedFault, Scenario } from './scenario.js';
import type { Strategy } from './strategies.js';
import { World } from './world.js';
import { Schedule, type ScheduleResult, type TraceStep, type Violation } from './schedule-result.js';

/** How one schedule is driven. */
export interface ScheduleOptions {
  readonly seed: number;
  /** Makes the run's strategy (fresh each time: a run is repeated once the task modules it first loaded are in). */
  readonly strategy: () => Strategy;
  /** Chance that a step is a fault (when the scenario allows faults). */
  readonly faultProbability: number;
  /** Faults at chosen steps, in place of random ones. */
  readonly faultPlan?: readonly PlannedFault[];
  /** Most faults per schedule. Default 3. */
  readonly maxFaults?: number;
  /** Replays these step labels, faults included (shrinking); steps not enabled fall back to the strategy. The run records its picks. */
  readonly guide?: readonly string[];
  /** Replays a guided run by its recorded picks (an index into the enabled steps, or `f` and an index into the faults). */
  readonly picks?: readonly string[];
  /**
   * Keep stack traces on errors made during the run. Off while exploring:
   * runs make many errors (timeouts, faults) and stacks were most of their
   * cost. Replays turn them on, for debugging.
   */
  readonly stackTraces?: boolean;
}

/**
 * What the runner awaits after every step: three microtask rounds for the
 * step's consequences (the two reactions chained here, then the await's own
 * resumption) before the invariants are checked and the next step is picked.
 * As deterministic as a full drain (microtask order is fixed by the spec, and
 * real I/O is refused) and far cheaper than an event-loop turn per step: work
 * that takes more hops shows up a step later. Before time may move or the run
 * end, the runner takes a whole event-loop turn instead
 * ({@link RealWorldGuard.turn}), which lets everything settle. Every explored
 * schedule depends on the number of rounds.
 *
 * A chain on a settled promise rather than three awaits: each await
 * allocates its resumption closures (~200 bytes), a reaction about half that,
 * and this runs after every step.
 */
function settleRounds(): Promise<void> {
  return SETTLED.then(nothing).then(nothing);
}

const SETTLED = Promise.resolve();
const nothing = (): void => {};

/** Runs of one seed while each loads task modules for the first time (one more module per run at most). */
const MAX_RUNS_PER_SEED = 5;

const untimed = (operation: Operation) => operation.kind !== 'timer';

/**
 * Runs one schedule of `scenario`: at each step the strategy picks one
 * enabled operation (or a fault is injected), then every invariant is checked.
 * @internal
 */
export async function runSchedule<TCtx, TSummary>(scenario: Scenario<TCtx, TSummary>, options: ScheduleOptions): Promise<ScheduleResult<TSummary>> {
  for (let run = 1; ; run++) {
    const imports = taskModuleImportCount();
    const result = await runGuarded(scenario, options);
    // A module that fails to load is imported again by every run: its failure is then the run's to report.
    if (taskModuleImportCount() === imports || run === MAX_RUNS_PER_SEED) return result;
    // A task's module was read from disk during the run, on its first use: real I/O whose timing shaped
    // the run, where later runs find the module loaded. Run again once it is, so a seed means one run.
    await taskModulesLoaded();
  }
}

async function runGuarded<TCtx, TSummary>(scenario: Scenario<TCtx, TSummary>, options: ScheduleOptions): Promise<ScheduleResult<TSummary>> {
  const guard = new RealWorldGuard();
  const stackTraceLimit = Error.stackTraceLimit;
  if (!options.stackTraces) Error.stackTraceLimit = 0;
  try {
    return await guard.run(() => drive(scenario, options, guard));
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function drive<TCtx, TSummary>(scenario: Scenario<TCtx, TSummary>, options: ScheduleOptions, guard: RealWorldGuard): Promise<ScheduleResult<TSummary>> {
  const world = new World(options.seed, scenario as Scenario<unknown>);
  guard.world = world;
  const faultRandom = new SeededRandom(options.seed ^ 0xfa017);
  const faultKinds = new Set<string>(scenario.faults ?? []);
  const maxSteps = scenario.maxSteps ?? 500;
  const trace: TraceStep[] = [];
  // Only guided runs (shrinking) record their picks: their replay line carries them.
  const picks: string[] | undefined = options.guide ? [] : undefined;
  let faultsLeft = faultKinds.size > 0 ? (options.maxFaults ?? 3) : 0;
  let violation: Violation | undefined;
  const goals = Object.entries(scenario.eventually ?? {}).map(([name, goal]) => [name, asGoal(goal)] as const);
  let reached: string[] = [];

  const strategy = options.strategy();
  const finish = (): ScheduleResult<TSummary> => {
    let summary: TSummary | undefined;
    try {
      summary = scenario.summarize?.(ctx, world);
    } catch (error) {
      violation ??= { kind: 'error', name: 'summarize threw', message: describe(error), step: trace.length };
    }
    const coverage = { actions: actions.covered(), goals: reached };
    return new Schedule(scenario.name, strategy.name, options.seed, trace, violation, coverage, summary, picks?.join('.'));
  };
  const refused = (): Violation | undefined => {
    const refusal = guard.refusals[0];
    if (refusal) return { kind: 'error', name: 'nondeterminism', message: refusal.message, step: trace.length };
    const rejection = actions.rejections[0];
    return rejection === undefined ? undefined : { kind: 'error', name: 'action rejected', message: rejection, step: trace.length };
  };

  world.initializing = true;
  await scenario.init?.(world);
  world.initializing = false;
  let ctx = scenario.setup(world);
  await guard.turn();
  const actions = new OutsideActions(scenario, world, () => ctx);

  const invariants = Object.entries(scenario.invariants ?? {});
  const check = (checks: readonly (readonly [string, Check<TCtx>])[]): Violation | undefined => {
    const refusal = refused();
    if (refusal) return refusal;
    for (const [name, predicate] of checks) {
      const verdict = predicate(ctx, world);
      if (!holds(verdict)) {
        const kind = checks === invariants ? 'invariant' : 'eventually';
        return { kind, name, message: typeof verdict === 'string' ? verdict : `${kind} '${name}' does not hold`, step: trace.length };
      }
    }
    return undefined;
  };
  // A goal whose precondition is false holds, but is not reached: phase 2 keeps going until every goal is.
  const eventually = goals.map(([name, goal]) => [name, ((c, w) => !goal.given(c, w) || goal.holds(c, w)) as Check<TCtx>] as const);
  const unreached = () => goals.some(([, goal]) => !goal.given(ctx, world) || !holds(goal.holds(ctx, world)));

  const step = (operation: Operation): void => {
    world.operations.take(operation);
    trace.push({ label: operation.label, at: world.clock.now() });
    const incarnation = world.incarnation;
    operation.run();
    if (world.incarnation !== incarnation) {
      ctx = scenario.setup(world);
      scenario.recover?.(ctx, world);
      actions.resend();
    }
  };

  // Phase 1: the strategy, with faults.
  while (trace.length < maxSteps) {
    let enabled = world.enabled();
    if (!enabled.some(untimed)) {
      // Before time may move (or the run end), let every chain of microtasks finish: work already under way comes first.
      await guard.turn();
      enabled = world.enabled();
      if (enabled.length === 0) break;
    }
    let operation: Operation | undefined;
    const guided = options.guide?.[trace.length];
    const picked = options.picks?.[trace.length];
    if (guided?.startsWith('fault: ')) {
      const faults = world.faults(faultKinds, actions.ran);
      operation = faults.find((fault) => fault.label === guided);
      if (operation) picks?.push(`f${faults.indexOf(operation)}`);
    } else if (picked?.startsWith('f')) {
      operation = world.faults(faultKinds, actions.ran)[Number(picked.slice(1))];
    } else if (options.faultPlan) {
      const planned = options.faultPlan.find((fault) => fault.step === trace.length);
      const faults = planned ? world.faults(new Set([planned.kind]), actions.ran) : [];
      if (faults.length > 0) operation = faults[faultRandom.int(faults.length)];
    } else if (faultsLeft > 0 && faultRandom.next() < options.faultProbability) {
      const faults = world.faults(faultKinds, actions.ran);
      if (faults.length > 0) {
        operation = faults[faultRandom.int(faults.length)];
        faultsLeft--;
      }
    }
    if (!operation) {
      const index = strategy.pick(enabled, trace.length);
      picks?.push(String(index));
      operation = enabled[index] as Operation;
    }
    try {
      step(operation);
    } catch (error) {
      // A refused call that threw out of the step is the refusal, not a mere error.
      violation = refused() ?? { kind: 'error', name: 'step threw', message: describe(error), step: trace.length };
      return finish();
    }
    await settleRounds();
    violation = check(invariants);
    if (violation) return finish();
  }

  // Phase 2: faults stop and scheduling turns fair; what must eventually hold gets its virtual deadline, and so do the
  // outside callers still waiting: a schedule that ends while an action's request is out leaves that action untested.
  const open = () => unreached() || world.waiting.size > 0;
  const deadline = world.clock.now() + (scenario.eventuallyWithinMs ?? 60_000);
  for (let extra = 0; extra < maxSteps * 4 && !refused() && open(); extra++) {
    let enabled = world.enabled();
    if (!enabled.some(untimed)) {
      await guard.turn();
      enabled = world.enabled();
    }
    if (enabled.length === 0 || world.clock.now() > deadline) break;
    // Fair from here on: the oldest enabled step first, time moves only when nothing else can happen.
    step(enabled.find((operation) => operation.kind !== 'timer') ?? (enabled[0] as Operation));
    await settleRounds();
    violation = check(invariants);
    if (violation) return finish();
  }
  if (goals.length > 0) {
    violation = check(eventually);
    if (violation) return finish();
    reached = goals.filter(([, goal]) => goal.given(ctx, world) && holds(goal.holds(ctx, world))).map(([name]) => name);
  }

  violation = refused();
  if (violation) return finish();
  if (world.enabled().length === 0 && world.waiting.size > 0) {
    violation = {
      kind: 'deadlock',
      name: 'deadlock',
      message: `nothing can happen, yet ${world.waiting.size} caller(s) still wait: ${[...world.waiting].join(', ')}`,
      step: trace.length,
    };
  }
  return finish();
}

const always = () => true;

const holds = (verdict: boolean | string | void) => verdict !== false && typeof verdict !== 'string';

function asGoal<TCtx>(goal: Check<TCtx> | Goal<TCtx>): Goal<TCtx> {
  return typeof goal === 'function' ? { given: always, holds: goal } : goal;
}
