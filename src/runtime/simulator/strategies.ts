import type { SeededRandom } from '../random.js';
import type { Operation } from './operations.js';

/**
 * Picks the next step among the enabled operations. A strategy is created
 * fresh for every schedule, from the schedule's seeded random stream, so one
 * seed always makes the same choices.
 *
 * @example
 * ```ts
 * const fifo: Strategy = { name: 'fifo', pick: () => 0 }; // always the oldest enabled step
 * ```
 */
export interface Strategy {
  readonly name: string;
  /** Index into `enabled` (never empty) of the operation to run at `step`. */
  pick(enabled: readonly Operation[], step: number): number;
}

/**
 * Builds a strategy for one schedule.
 *
 * @example
 * ```ts
 * const factory: StrategyFactory = STRATEGIES['lazy-time'];
 * const strategy = factory(new SeededRandom(7), { maxSteps: 500, seed: 7 });
 * ```
 */
export type StrategyFactory = (random: SeededRandom, options: StrategyOptions) => Strategy;

/**
 * What a strategy may know about the schedule ahead.
 *
 * @example
 * ```ts
 * const strategy = pct(new SeededRandom(42), { maxSteps: 500, depth: 2, seed: 42 });
 * ```
 */
export interface StrategyOptions {
  /** Expected length of a schedule, for placing PCT's priority change points. */
  readonly maxSteps: number;
  /** PCT bug depth `d`: `d - 1` priority change points per schedule. Default 3. */
  readonly depth?: number;
  /** Seed of the schedule, for strategies that alternate by seed. */
  readonly seed: number;
}

/**
 * Random walk: every enabled operation is equally likely at every step.
 *
 * @example
 * ```ts
 * await explore(doubleStart, { strategy: 'random', schedules: 1_000 });
 * ```
 */
export const randomWalk: StrategyFactory = (random) => ({
  name: 'random',
  pick: (enabled) => random.int(enabled.length),
});

/**
 * PCT (probabilistic concurrency testing, Burckhardt et al.): each owner
 * (actor, clock, store, action…) gets a random priority and the highest
 * enabled owner always runs; at `d - 1` random steps the running owner drops
 * to the lowest priority. It finds bugs that need one actor to run many
 * steps uninterrupted, which a random walk almost never produces.
 *
 * @example
 * ```ts
 * await explore(doubleStart, { strategy: 'pct', depth: 3, schedules: 1_000 });
 * ```
 */
export const pct: StrategyFactory = (random, options) => {
  const depth = Math.max(1, options.depth ?? 3);
  const priorities = new Map<string, number>();
  const changePoints = new Map<number, number>();
  for (let i = 1; i < depth; i++) changePoints.set(1 + random.int(Math.max(1, options.maxSteps)), depth - i);
  const priorityOf = (owner: string): number => {
    let priority = priorities.get(owner);
    if (priority === undefined) {
      // Above every change-point priority (< depth), in random order among owners.
      priority = depth + random.next();
      priorities.set(owner, priority);
    }
    return priority;
  };
  return {
    name: 'pct',
    pick(enabled, step) {
      let best = 0;
      let bestPriority = -Infinity;
      for (let index = 0; index < enabled.length; index++) {
        const priority = priorityOf((enabled[index] as Operation).owner);
        if (priority > bestPriority) {
          best = index;
          bestPriority = priority;
        }
      }
      const lowered = changePoints.get(step);
      if (lowered !== undefined) {
        priorities.set((enabled[best] as Operation).owner, lowered);
        return this.pick(enabled, -1);
      }
      return best;
    },
  };
};

/**
 * Random walk in which time is lazy: a timer fires only when nothing else can
 * happen, as on a real machine where I/O and turns take microseconds and
 * timers seconds. It finds liveness bugs that hide behind a timer firing
 * "early" (a retry loop that resets the very timer that would end it).
 *
 * @example
 * ```ts
 * await explore(doubleStart, { strategy: 'lazy-time', schedules: 1_000 });
 * ```
 */
export const lazyTime: StrategyFactory = (random) => ({
  name: 'lazy-time',
  pick: (enabled) => {
    let untimed = 0;
    for (const operation of enabled) if (operation.kind !== 'timer') untimed++;
    if (untimed === 0) return 0;
    // The n-th untimed step, counted without building a second list (this runs every step).
    for (let index = 0, n = random.int(untimed); index < enabled.length; index++) {
      if ((enabled[index] as Operation).kind !== 'timer' && n-- === 0) return index;
    }
    return 0;
  },
});

/**
 * Cycles random walk, PCT and lazy-time random walk by seed, so one
 * exploration gets all three kinds of coverage.
 *
 * @example
 * ```ts
 * await explore(doubleStart, { strategy: 'portfolio', schedules: 10_000 });
 * ```
 */
export const portfolio: StrategyFactory = (random, options) => {
  const members = [randomWalk, pct, lazyTime];
  const inner = (members[options.seed % members.length] as StrategyFactory)(random, options);
  return { name: 'portfolio', pick: (enabled, step) => inner.pick(enabled, step) };
};

/** Replays a recorded schedule by its labels; where a label is not enabled, takes the oldest operation (FIFO). @internal */
export function guided(labels: readonly string[]): Strategy {
  return {
    name: 'guided',
    pick(enabled, step) {
      const wanted = labels[step];
      const index = wanted === undefined ? -1 : enabled.findIndex((operation) => operation.label === wanted);
      return index >= 0 ? index : 0;
    },
  };
}

/**
 * The built-in strategies by name.
 *
 * @example
 * ```ts
 * Object.keys(STRATEGIES); // ['random', 'pct', 'lazy-time', 'portfolio']
 * ```
 */
export const STRATEGIES = { random: randomWalk, pct, 'lazy-time': lazyTime, portfolio } as const satisfies Record<string, StrategyFactory>;

/**
 * A built-in strategy's name.
 *
 * @example
 * ```ts
 * const strategy: StrategyName = 'lazy-time';
 * await explore(doubleStart, { strategy, schedules: 1_000 });
 * ```
 */
export type StrategyName = keyof typeof STRATEGIES;
