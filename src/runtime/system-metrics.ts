/** The snapshot `system.metrics()` returns, built from the live cells, the pools and the system's instruments. */
import type { HistogramSnapshot } from './histogram.js';
import type { EventCounts, SystemInstruments } from './instruments.js';
import type { TaskPoolPort } from './ports/index.js';

/** Deepest mailboxes listed in a snapshot. */
const DEEPEST = 10;

/**
 * One pool as a snapshot shows it; `utilization` is `running / capacity` (0..1).
 *
 * @example
 * ```ts
 * for (const [name, pool] of Object.entries(system.metrics().pools)) if (pool.utilization > 0.9) alert(`${name} is saturated (${pool.queued} queued)`);
 * ```
 */
export interface PoolMetrics {
  readonly queued: number;
  readonly running: number;
  readonly capacity: number;
  readonly utilization: number;
}

/**
 * A point-in-time view of a system, cheap enough to take every second: live
 * actors by type, mailbox depths, turn and commit timings (recorded when the
 * system was made with `recordTimings: true`), event counts since start, and
 * each pool that reports its queue.
 *
 * @example
 * ```ts
 * const { actors, mailboxes, turns, pools } = system.metrics();
 * console.log(`${actors.live} actors, ${mailboxes.queued} messages queued, ${turns.durationMs.count} turns timed`);
 * ```
 */
export interface SystemMetrics {
  /** Clock time of the snapshot. */
  readonly at: number;
  readonly actors: { readonly live: number; readonly byType: Readonly<Record<string, number>> };
  readonly mailboxes: {
    /** Messages waiting in every mailbox (all lanes). */
    readonly queued: number;
    readonly byType: Readonly<Record<string, number>>;
    /** The deepest mailboxes (up to 10), deepest first; empty ones are left out. */
    readonly deepest: readonly { readonly type: string; readonly key: string; readonly depth: number }[];
  };
  readonly turns: { readonly timed: boolean; readonly durationMs: HistogramSnapshot };
  readonly commits: { readonly timed: boolean; readonly failed: number; readonly durationMs: HistogramSnapshot };
  readonly events: EventCounts;
  readonly pools: Readonly<Record<string, PoolMetrics>>;
}

/** What a snapshot reads of one live cell. @internal */
export interface MeasuredCell {
  readonly definition: { readonly name: string };
  readonly key: string;
  readonly mailbox: { readonly depth: number };
}

/** @internal */
export function systemMetrics(at: number, cells: Iterable<MeasuredCell>, pools: Readonly<Record<string, TaskPoolPort>>, instruments: SystemInstruments): SystemMetrics {
  const byType: Record<string, number> = {};
  const depthByType: Record<string, number> = {};
  const deepest: Array<{ type: string; key: string; depth: number }> = [];
  let live = 0;
  let queued = 0;
  for (const cell of cells) {
    const type = cell.definition.name;
    const depth = cell.mailbox.depth;
    live++;
    queued += depth;
    byType[type] = (byType[type] ?? 0) + 1;
    depthByType[type] = (depthByType[type] ?? 0) + depth;
    if (depth > 0 && (deepest.length < DEEPEST || depth > (deepest[DEEPEST - 1] as { depth: number }).depth)) {
      deepest.push({ type, key: cell.key, depth });
      deepest.sort((a, b) => b.depth - a.depth);
      deepest.length = Math.min(deepest.length, DEEPEST);
    }
  }
  const poolMetrics: Record<string, PoolMetrics> = {};
  for (const [name, pool] of Object.entries(pools)) {
    const stats = pool.stats?.();
    if (stats) poolMetrics[name] = { ...stats, utilization: stats.capacity > 0 ? stats.running / stats.capacity : 0 };
  }
  return {
    at,
    actors: { live, byType },
    mailboxes: { queued, byType: depthByType, deepest },
    turns: { timed: instruments.timings, durationMs: instruments.turns.snapshot() },
    commits: { timed: instruments.timings, failed: instruments.failedCommits, durationMs: instruments.commits.snapshot() },
    events: instruments.counts,
    pools: poolMetrics,
  };
}
