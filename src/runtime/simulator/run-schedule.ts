import { SeededRandom } from '../random.js';
import type { Operation } from './operations.js';
import { taskModuleImportCount, taskModulesLoaded } from '../../pools/task-runner.js';
import { RealWorldGuard } from './real-world-guard.js';
import type { Check, PlannedFault, Scenario } from './scenario.js';
import type { Strategy } from './strategies.js';
import { World, type ActionRun } from './world.js';
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
  /** Replays these step labels, faults included (shrinking); steps not enabled fall back to the strategy. */
  readonly guide?: readonly string[];
  /**
   * Keep stack traces on errors made during the run. Off while exploring:
   * runs make many errors (timeouts, faults) and stacks were most of their
   * cost. Replays turn them on, for debugging.
   */
  readonly stackTraces?: boolean;
}

/**
 * Lets the microtasks the last step caused run. A fixed number of microtask
 * rounds is as deterministic as a full drain (microtask order is fixed by the
 * spec, and real I/O is refused) and far cheaper than an event-loop turn per
 * step: work that takes more hops shows up a step later. Before time may move
 * or the run end, {@link quiesce} lets everything settle.
 */
async function settle(): Promise<void> {
  for (let round = 0; round < MICROTASK_ROUNDS; round++) await null;
}

const MICROTASK_ROUNDS = 2;

const untimed = (operation: Operation) => operation.kind !== 'timer';

/** One event-loop turn: every pending microtask runs to completion first. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs one schedule of `scenario`: at each step the strategy picks one
 * enabled operation (or a fault is injected), then every invariant is checked.
 * @internal
 */
export async function runSchedule<TCtx>(scenario: Scenario<TCtx>, options: ScheduleOptions): Promise<ScheduleResult> {
  for (;;) {
    const imports = taskModuleImportCount();
    const result = await runGuarded(scenario, options);
    if (taskModuleImportCount() === imports) return result;
    // A task's module was read from disk during the run, on its first use: real I/O whose timing shaped
    // the run, where later runs find the module loaded. Run again once it is, so a seed means one run.
    await taskModulesLoaded();
  }
}

async function runGuarded<TCtx>(scenario: Scenario<TCtx>, options: ScheduleOptions): Promise<ScheduleResult> {
  const guard = new RealWorldGuard();
  const stackTraceLimit = Error.stackTraceLimit;
  if (!options.stackTraces) Error.stackTraceLimit = 0;
  try {
    return await drive(scenario, options, guard);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    guard.restore();
  }
}

async function drive<TCtx>(scenario: Scenario<TCtx>, options: ScheduleOptions, guard: RealWorldGuard): Promise<ScheduleResult> {
  const world = new World(options.seed, scenario as Scenario<unknown>);
  const faultRandom = new SeededRandom(options.seed ^ 0xfa017);
  const faultKinds = new Set<string>(scenario.faults ?? []);
  const maxSteps = scenario.maxSteps ?? 500;
  const trace: TraceStep[] = [];
  const ran: ActionRun[] = [];
  let faultsLeft = faultKinds.size > 0 ? (options.maxFaults ?? 3) : 0;
  let violation: Violation | undefined;

  const strategy = options.strategy();
  const finish = (): ScheduleResult => new Schedule(scenario.name, strategy.name, options.seed, trace, violation);
  /** Lets everything under way finish (one event-loop turn), refusing real I/O that could complete meanwhile. */
  const quiesce = (): Promise<void> => {
    guard.checkIo();
    return nextTurn();
  };
  const refused = (): Violation | undefined => {
    const refusal = guard.refusals[0];
    return refusal && { kind: 'error', name: 'nondeterminism', message: refusal.message, step: trace.length };
  };

  world.initializing = true;
  await scenario.init?.(world);
  world.initializing = false;
  let ctx = scenario.setup(world);
  await quiesce();
  addActions();

  const invariants = Object.entries(scenario.invariants ?? {});
  const check = (checks: Readonly<Record<string, Check<TCtx>>> | undefined, kind: 'invariant' | 'eventually'): Violation | undefined => {
    const refusal = refused();
    if (refusal) return refusal;
    for (const [name, holds] of checks === scenario.invariants ? invariants : Object.entries(checks ?? {})) {
      const verdict = holds(ctx, world);
      if (verdict === false || typeof verdict === 'string') {
        return { kind, name, message: typeof verdict === 'string' ? verdict : `${kind} '${name}' does not hold`, step: trace.length };
      }
    }
    return undefined;
  };

  const step = (operation: Operation): void => {
    world.operations.take(operation);
    trace.push({ label: operation.label, at: world.clock.now() });
    const incarnation = world.incarnation;
    operation.run();
    if (world.incarnation !== incarnation) {
      ctx = scenario.setup(world);
      scenario.recover?.(ctx, world);
    }
  };

  // Phase 1: the strategy, with faults.
  while (trace.length < maxSteps) {
    let enabled = world.enabled();
    if (!enabled.some(untimed)) {
      // Before time may move (or the run end), let every chain of microtasks finish: work already under way comes first.
      await quiesce();
      enabled = world.enabled();
      if (enabled.length === 0) break;
    }
    let operation: Operation | undefined;
    const guided = options.guide?.[trace.length];
    if (guided?.startsWith('fault: ')) {
      operation = world.faults(faultKinds, ran).find((fault) => fault.label === guided);
    } else if (options.faultPlan) {
      const planned = options.faultPlan.find((fault) => fault.step === trace.length);
      const faults = planned ? world.faults(new Set([planned.kind]), ran) : [];
      if (faults.length > 0) operation = faults[faultRandom.int(faults.length)];
    } else if (faultsLeft > 0 && faultRandom.next() < options.faultProbability) {
      const faults = world.faults(faultKinds, ran);
      if (faults.length > 0) {
        operation = faults[faultRandom.int(faults.length)];
        faultsLeft--;
      }
    }
    operation ??= enabled[strategy.pick(enabled, trace.length)] as Operation;
    try {
      step(operation);
    } catch (error) {
      violation = { kind: 'error', name: 'step threw', message: describe(error), step: trace.length };
      return finish();
    }
    await settle();
    violation = check(scenario.invariants, 'invariant');
    if (violation) return finish();
  }

  // Phase 2: faults stop and scheduling turns fair; what must eventually hold gets its virtual deadline.
  if (scenario.eventually) {
    const deadline = world.clock.now() + (scenario.eventuallyWithinMs ?? 60_000);
    for (let extra = 0; extra < maxSteps * 4 && check(scenario.eventually, 'eventually'); extra++) {
      let enabled = world.enabled();
      if (!enabled.some(untimed)) {
        await quiesce();
        enabled = world.enabled();
      }
      if (enabled.length === 0 || world.clock.now() > deadline) break;
      // Fair from here on: the oldest enabled step first, time moves only when nothing else can happen.
      step(enabled.find((operation) => operation.kind !== 'timer') ?? (enabled[0] as Operation));
      await settle();
      violation = check(scenario.invariants, 'invariant');
      if (violation) return finish();
    }
    violation = check(scenario.eventually, 'eventually');
    if (violation) return finish();
  }

  // Once more at the end: Node starts some I/O only on the next tick, after the last check.
  guard.checkIo();
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

  function addActions(): void {
    for (const action of scenario.actions) {
      for (let i = 1; i <= (action.times ?? 1); i++) {
        const label = `action ${action.name}#${i}`;
        const run = () => {
          const result = action.run(ctx, world);
          if (result instanceof Promise) {
            const incarnation = world.incarnation;
            world.waiting.add(label);
            result.then(
              () => incarnation === world.incarnation && world.waiting.delete(label),
              () => incarnation === world.incarnation && world.waiting.delete(label),
            );
          }
        };
        world.operations.add({
          kind: 'action',
          owner: label,
          label,
          run: () => {
            run();
            ran.push({ label, rerun: run });
          },
        });
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
