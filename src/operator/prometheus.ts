/**
 * The Prometheus text exposition (format 0.0.4) of a system's metrics and
 * its domains' counts, served at `/metrics` by the dashboard.
 */
import type { HistogramSnapshot, SystemMetrics } from '../index.js';
import type { DomainView } from './domain.js';

type Labels = Readonly<Record<string, string>>;

const escape = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelText = (labels: Labels): string => {
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${escape(value)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
};
const number = (value: number): string => (value === Infinity ? '+Inf' : Number.isFinite(value) ? String(value) : 'NaN');

class Exposition {
  readonly #lines: string[] = [];

  metric(name: string, type: 'gauge' | 'counter' | 'histogram', help: string, samples: ReadonlyArray<readonly [Labels, number]>): void {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.#lines.push(`${name}${labelText(labels)} ${number(value)}`);
  }

  histogram(name: string, help: string, snapshot: HistogramSnapshot): void {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const { le, count } of snapshot.buckets) this.#lines.push(`${name}_bucket{le="${le === Infinity ? '+Inf' : number(le / 1000)}"} ${count}`);
    this.#lines.push(`${name}_sum ${number(snapshot.sumMs / 1000)}`, `${name}_count ${snapshot.count}`);
  }

  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

/**
 * Renders `metrics` and the domains' counts as Prometheus text.
 *
 * @example
 * ```ts
 * import type { ServerResponse } from 'node:http';
 * declare const response: ServerResponse;
 * response.setHeader('content-type', PROMETHEUS_CONTENT_TYPE);
 * response.end(prometheusText(system.metrics()));
 * ```
 */
export function prometheusText(metrics: SystemMetrics, domains: ReadonlyArray<{ readonly name: string; readonly view: DomainView }> = []): string {
  const out = new Exposition();
  const byType = (record: Readonly<Record<string, number>>) => Object.entries(record).map(([type, value]) => [{ type }, value] as const);
  out.metric('steward_actors_live', 'gauge', 'Live actors by type.', byType(metrics.actors.byType));
  out.metric('steward_mailbox_depth', 'gauge', 'Messages waiting in mailboxes, by actor type.', byType(metrics.mailboxes.byType));
  out.histogram('steward_turn_duration_seconds', 'Duration of one turn (handler and its commit); recorded with recordTimings.', metrics.turns.durationMs);
  out.histogram('steward_commit_duration_seconds', 'Duration of one commit through the state port; recorded with recordTimings.', metrics.commits.durationMs);
  out.metric('steward_commit_failures_total', 'counter', 'Commits through the state port that failed.', [[{}, metrics.commits.failed]]);
  const { crashes, restarts, overflows, taskFailures, deadLetters } = metrics.events;
  out.metric('steward_actor_crashes_total', 'counter', 'Turns, hooks or starts that threw.', [[{}, crashes]]);
  out.metric('steward_actor_restarts_total', 'counter', 'Restarts by supervisors.', [[{}, restarts]]);
  out.metric('steward_mailbox_overflows_total', 'counter', 'Messages a full mailbox refused or dropped.', [[{}, overflows]]);
  out.metric('steward_task_failures_total', 'counter', 'Pool tasks that ended in failure.', [[{}, taskFailures]]);
  out.metric('steward_dead_letters_total', 'counter', 'Messages no actor will handle, by reason.', Object.entries(deadLetters).map(([reason, value]) => [{ reason }, value] as const));
  const pools = Object.entries(metrics.pools);
  out.metric('steward_pool_queued', 'gauge', 'Tasks waiting in a pool.', pools.map(([pool, stats]) => [{ pool }, stats.queued] as const));
  out.metric('steward_pool_running', 'gauge', 'Tasks running in a pool.', pools.map(([pool, stats]) => [{ pool }, stats.running] as const));
  out.metric('steward_pool_capacity', 'gauge', 'Tasks a pool runs at once.', pools.map(([pool, stats]) => [{ pool }, stats.capacity] as const));
  out.metric('steward_pool_utilization', 'gauge', 'Running over capacity (0..1).', pools.map(([pool, stats]) => [{ pool }, stats.utilization] as const));
  const counts = domains.flatMap(({ name, view }) => Object.entries(view.counts).map(([count, value]) => [{ domain: name, name: count }, value] as const));
  out.metric('steward_domain_count', 'gauge', 'Headline counts of each domain (cooks by status, workers active, …).', counts);
  return out.toString();
}

/** The content type of {@link prometheusText}. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
