import type { PersistencePort } from '../actor-context.js';
import type { ActorRef } from '../actor-ref.js';
import { ActorSystem } from '../actor-system.js';
import type { ActorDefinition, StateOf } from '../define-actor.js';
import { realClock } from '../clock.js';
import { SeededRandom } from '../random.js';
import { VirtualClock } from '../virtual-clock.js';
import { InProcessPool } from '../../pools/in-process-pool.js';
import { MemoryStore } from '../../persistence/memory-store.js';
import { Persistence } from '../../persistence/persistence.js';
import type { Scenario } from './scenario.js';
import { durableState, scratchOf, type SimulationWorld } from './world.js';

/**
 * What a scenario did on the real runtime.
 *
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * const { broken } = await runOnRealRuntime(doubleStart);
 * expect(broken).toEqual([]); // every invariant held on the real runtime too
 * ```
 */
export interface RealRunResult {
  readonly scenario: string;
  readonly elapsedMs: number;
  /** Names of the invariants that did not hold at the end. */
  readonly broken: readonly string[];
}

/**
 * Runs a scenario once on the real runtime (microtask turns, wall clock,
 * in-memory store, in-process pools): every action at once, then the
 * invariants. For comparing a simulated run with the real thing.
 *
 * @example
 * ```ts
 * const { elapsedMs, broken } = await runOnRealRuntime(doubleStart);
 * ```
 */
export async function runOnRealRuntime<TCtx>(scenario: Scenario<TCtx>, seed = 1): Promise<RealRunResult> {
  const started = performance.now();
  const store = new MemoryStore();
  const persistence = new Persistence(store, { closeStore: false });
  const pools = Object.fromEntries(
    Object.entries(scenario.pools ?? {}).map(([name, options]) => [
      name,
      new InProcessPool({
        name,
        concurrency: options.concurrency ?? 1,
        ...(options.defaultTimeoutMs === undefined ? {} : { defaultTimeoutMs: options.defaultTimeoutMs }),
        ...(options.concurrentTasksPerWorker === undefined ? {} : { concurrentTasksPerWorker: options.concurrentTasksPerWorker }),
        ...(options.recycleGraceMs === undefined ? {} : { recycleGraceMs: options.recycleGraceMs }),
      }),
    ]),
  );
  const system = new ActorSystem({ persistence, pools, askTimeoutMs: scenario.askTimeoutMs ?? 5_000, ...(scenario.reminders ? { reminders: scenario.reminders } : {}) });
  const scratch = new Map<string, unknown>();
  const world: SimulationWorld = {
    seed,
    // Scenario code reads time through the system's clock; this one only serves `world.clock.now()`.
    clock: new VirtualClock(realClock.now()),
    random: new SeededRandom(seed),
    system,
    incarnation: 0,
    store,
    persistence: persistence as PersistencePort,
    peek: <TDef extends ActorDefinition>(ref: ActorRef<TDef>): StateOf<TDef> | undefined => system.peekState(ref),
    durable: <TDef extends ActorDefinition>(ref: ActorRef<TDef>): StateOf<TDef> | undefined => durableState(store, ref),
    scratch: <T>(name: string, make: () => T): T => scratchOf(scratch, name, make),
    io: async <T>(_label: string, value: T | (() => T)) => (typeof value === 'function' ? (value as () => T)() : value),
  };
  try {
    await scenario.init?.(world);
    const ctx = scenario.setup(world);
    const runs = scenario.actions.flatMap((action) => Array.from({ length: action.times ?? 1 }, () => action.run(ctx, world)));
    await Promise.allSettled(runs);
    const broken = Object.entries(scenario.invariants ?? {})
      .filter(([, holds]) => {
        const verdict = holds(ctx, world);
        return verdict === false || typeof verdict === 'string';
      })
      .map(([name]) => name);
    return { scenario: scenario.name, elapsedMs: performance.now() - started, broken };
  } finally {
    await system.shutdown({ deadlineMs: 1_000 });
  }
}
