/** What the dashboard sends its page on each tick: the system's metrics in brief, recent incidents and every domain's view. */
import type { EventCounts, HistogramSnapshot, PoolMetrics, SystemMetrics } from '../index.js';
import type { DomainView } from './domain.js';
import type { Incident } from './recent-events.js';

/**
 * A timing histogram in brief: count, mean, and the bucket bound under which
 * 99 % fell (`null` when nothing was timed or it fell past the last bound).
 *
 * @example
 * ```ts
 * const line = ({ count, meanMs, p99Ms }: TimingBrief) => `${count} turns, mean ${meanMs.toFixed(2)} ms, p99 ≤ ${p99Ms ?? '?'} ms`;
 * ```
 */
export interface TimingBrief {
  readonly timed: boolean;
  readonly count: number;
  readonly meanMs: number;
  readonly p99Ms: number | null;
}

/**
 * One tick of the dashboard, as JSON (`/snapshot.json`, and each SSE message).
 *
 * @example
 * ```ts
 * const snapshot = (await (await fetch(`${url}/snapshot.json`)).json()) as DashboardSnapshot;
 * console.log(snapshot.actors.live, snapshot.domains.map((domain) => domain.name));
 * ```
 */
export interface DashboardSnapshot {
  readonly at: number;
  /** Snapshots sent since the dashboard started: the page shows it, so a frozen page is plain to see. */
  readonly tick: number;
  readonly actors: SystemMetrics['actors'];
  readonly mailboxes: SystemMetrics['mailboxes'];
  readonly turns: TimingBrief;
  readonly commits: TimingBrief & { readonly failed: number };
  readonly events: EventCounts;
  readonly pools: Readonly<Record<string, PoolMetrics>>;
  readonly incidents: readonly Incident[];
  readonly domains: ReadonlyArray<{ readonly name: string; readonly title: string; readonly view: DomainView }>;
  /** Actions by domain, only when actions are enabled. */
  readonly actions: Readonly<Record<string, readonly string[]>>;
}

/** @internal */
export function timingBrief(timed: boolean, histogram: HistogramSnapshot): TimingBrief {
  const target = histogram.count * 0.99;
  const bucket = histogram.buckets.find((entry) => entry.count >= target);
  const p99Ms = histogram.count === 0 || !bucket || bucket.le === Infinity ? null : bucket.le;
  return { timed, count: histogram.count, meanMs: histogram.count === 0 ? 0 : histogram.sumMs / histogram.count, p99Ms };
}
