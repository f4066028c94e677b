import type { ReminderOptions } from '../reminders/reminder-service.js';
import type { SimulationWorld } from './world.js';

/**
 * Faults the simulator may inject into a scenario.
 *
 * @example
 * ```ts
 * defineScenario({ ...doubleStart, name: 'double-start-faults', faults: ['crash-actor', 'fail-commit', 'duplicate-action'] });
 * ```
 */
export type FaultKind =
  /** Crash a live actor as if a handler threw; its supervisor restarts it from the store. */
  | 'crash-actor'
  /** End a finished pool task as a thread crash (`ERR_TASK_CRASHED`). */
  | 'crash-task'
  /** Fail a store commit (`ERR_PERSIST_FAILED`); nothing is written. */
  | 'fail-commit'
  /** Fail a simulated I/O call (`world.io`). */
  | 'fail-io'
  /** Crash the whole system and boot a new one from the store; unacknowledged writes are lost. */
  | 'crash-system'
  /**
   * Restart the whole system gracefully: it shuts down (its drain, stop
   * hooks and commits are steps the strategy orders; outcomes still in
   * flight become dead letters), then a new one boots from the store.
   */
  | 'restart-system'
  /** Run an action that already ran once more (at-least-once senders such as webhooks). */
  | 'duplicate-action'
  /**
   * Messages from outside the system (sent by actions or simulated services
   * through `system.ref`) travel: each arrival is a step of its own, so the
   * strategy can deliver one late, after work that started later. Messages
   * to one actor still arrive in the order they were sent.
   */
  | 'delay-message';

/**
 * One fault at a chosen step: before step `step` (0-based) runs, a fault of
 * `kind` is injected if one can be (which actor, commit or task, the seed
 * decides). A list of them is a fault plan: input that fast-check can
 * generate and shrink, in place of faults drawn at random.
 *
 * @example
 * ```ts
 * await runSeed(doubleStart, 42, 'pct', { faultPlan: [{ step: 3, kind: 'crash-actor' }] });
 * ```
 */
export interface PlannedFault {
  readonly step: number;
  readonly kind: FaultKind;
}

/**
 * An input from outside the system: a request, a webhook, a user's click. Each run is one step.
 *
 * @example
 * ```ts
 * declare const Tally: ActorDefinition<{ completed: number }, { complete: z.ZodObject<{ jobId: z.ZodString; path: z.ZodString }> }>;
 * const webhook: ScenarioAction<{ tally: ActorRef<typeof Tally> }> = {
 *   name: 'webhook reports job-1',
 *   run: ({ tally }) => tally.ask('complete', { jobId: 'job-1', path: 'webhook' }),
 * };
 * ```
 */
export interface ScenarioAction<TCtx> {
  readonly name: string;
  /**
   * What the outside world does. A returned promise counts as a caller still
   * waiting until it settles (deadlock detection); a rejected one is a
   * violation, as a throw is. The outside world does not crash with the
   * system: an action not yet run when the system crashes still runs, later,
   * and one whose promise was still pending runs again in the new incarnation
   * (the caller's connection dropped and it sends again), so make actions
   * that a real client would retry idempotent, as the client must.
   */
  readonly run: (ctx: TCtx, world: SimulationWorld) => unknown;
  /** How many times it happens (each one a separate step). Default 1. */
  readonly times?: number;
}

/**
 * A check: `true`/`undefined` holds; `false` or a message is a violation.
 *
 * @example
 * ```ts
 * declare const Tally: ActorDefinition<{ completed: number }, { complete: z.ZodObject<{ jobId: z.ZodString; path: z.ZodString }> }>;
 * const countedOnce: Check<{ tally: ActorRef<typeof Tally> }> = ({ tally }, world) =>
 *   (world.peek(tally)?.completed ?? 0) <= 1 || 'job-1 was counted twice';
 * ```
 */
export type Check<TCtx> = (ctx: TCtx, world: SimulationWorld) => boolean | string | void;

/**
 * An `eventually` goal with a precondition: in a schedule where `given` is
 * false at the end, the goal holds but was not *reached* (nothing to check:
 * say the cook was never started), and coverage counts it so.
 *
 * @example
 * ```ts
 * type Ctx = { cook: ActorRef<CookDefinition>; started: boolean };
 * const finishes: Goal<Ctx> = { given: (ctx) => ctx.started, holds: ({ cook }, world) => world.durable(cook)?.status === 'completed' };
 * ```
 */
export interface Goal<TCtx> {
  readonly given: (ctx: TCtx, world: SimulationWorld) => boolean;
  readonly holds: Check<TCtx>;
}

/**
 * How often a scenario must test what it claims to: the least share of
 * schedules (0 to 1) in which every action ran to its end (returned, or its
 * promise settled), and in which every `eventually` goal was reached by the
 * system. `expectNoViolations` fails an exploration below either.
 *
 * @example
 * ```ts
 * defineScenario({ ...doubleStart, name: 'double-start-covered', coverage: { actions: 0.99, eventually: 0.9 } });
 * ```
 */
export interface CoverageThresholds {
  /** Default 0.95. */
  readonly actions?: number;
  /** Default 0.95. */
  readonly eventually?: number;
}

/**
 * Task pools the simulated system gets, by name (all in-process, completions ordered by the strategy).
 *
 * @example
 * ```ts
 * defineScenario({ ...doubleStart, name: 'double-start-pooled', pools: { download: { concurrency: 2, defaultTimeoutMs: 30_000 } } });
 * ```
 */
export interface SimulatedPoolOptions {
  readonly concurrency?: number;
  readonly defaultTimeoutMs?: number;
  /** Tasks one thread runs at once (a thread that hangs holds its slots until it is recycled). Default 1. */
  readonly concurrentTasksPerWorker?: number;
  /** How long a thread with a timed-out or cancelled task may keep running before it is recycled (virtual ms). */
  readonly recycleGraceMs?: number;
}

/**
 * A race scenario: how to build the world, what the outside does to it, and
 * what must always (and eventually) be true.
 *
 * @example
 * ```ts
 * const scenario: Scenario<{ cook: ActorRef<typeof Cook> }> = defineScenario({
 *   name: 'start-once',
 *   setup: (world) => ({ cook: world.system.ref(Cook, cookKey('autumn', 'ann')) }),
 *   actions: [{ name: 'start', run: ({ cook }) => cook.ask('start', { requester: 'ann' }) }],
 * });
 * ```
 */
export interface Scenario<TCtx, TSummary = unknown> {
  readonly name: string;
  /**
   * Runs once per schedule, before the first step: seed the store here (its
   * commits land at once). Actors and services that use `world.io` need not be
   * made here: they can call {@link simulatedIo} from module scope.
   */
  readonly init?: (world: SimulationWorld) => void | Promise<void>;
  /**
   * Builds the context (refs, fixtures) on the current system; runs again
   * after a whole-system crash. Keep what must outlive a crash in
   * `world.scratch(...)`.
   */
  readonly setup: (world: SimulationWorld) => TCtx;
  /** Runs after a whole-system crash, once `setup` has made the new context: resume what a real restart resumes. */
  readonly recover?: (ctx: TCtx, world: SimulationWorld) => void;
  readonly actions: readonly ScenarioAction<TCtx>[];
  /** Checked after every step. */
  readonly invariants?: Readonly<Record<string, Check<TCtx>>>;
  /** Must hold within `eventuallyWithinMs` of virtual time once faults stop. */
  readonly eventually?: Readonly<Record<string, Check<TCtx> | Goal<TCtx>>>;
  /** Least coverage `expectNoViolations` accepts (see {@link CoverageThresholds}). */
  readonly coverage?: CoverageThresholds;
  /** What a finished schedule came to (final states, counters): `explore` returns one per schedule. */
  readonly summarize?: (ctx: TCtx, world: SimulationWorld) => TSummary;
  /** Virtual time allowed for `eventually` checks. Default 60,000 ms. */
  readonly eventuallyWithinMs?: number;
  /** Faults the strategy may inject. Default none. */
  readonly faults?: readonly FaultKind[];
  /** Step budget of one schedule. Default 500. */
  readonly maxSteps?: number;
  /** Default `ask` timeout of the simulated system. Default 5,000 ms (virtual). */
  readonly askTimeoutMs?: number;
  readonly pools?: Readonly<Record<string, SimulatedPoolOptions>>;
  /**
   * The reminder service of every system incarnation (`reminders` of
   * `ActorSystemOptions`): list the actor types reminders target, so a
   * reminder committed before a whole-system crash still fires after it.
   */
  readonly reminders?: ReminderOptions;
}

/**
 * Defines a scenario (an identity function that fixes the context type).
 *
 * @example
 * ```ts
 * const doubleStart = defineScenario({
 *   name: 'double-start',
 *   setup: (world) => ({ cook: world.system.ref(Cook, 'col-1~alice') }),
 *   actions: [{ name: 'start', times: 2, run: ({ cook }) => cook.ask('start', { requester: 'alice' }) }],
 *   invariants: { 'within maxConcurrent': ({ cook }, world) => { const state = world.peek(cook); return !state || Object.keys(state.running).length <= state.maxConcurrent; } },
 * });
 * ```
 */
export function defineScenario<TCtx, TSummary = unknown>(scenario: Scenario<TCtx, TSummary>): Scenario<TCtx, TSummary> {
  return scenario;
}
