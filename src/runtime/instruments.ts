/**
 * What a system observes of itself: every bus event counted, published on its
 * diagnostics channel and logged, and (when timings are on, or someone
 * subscribes to the timing channels) each turn's and each commit's duration.
 * @internal
 */
import type { DeadLetterReason, ListenerErrorHandler, RuntimeEvents } from './events.js';
import { commitChannel, runtimeChannel, turnChannel, type CommitMessage, type TurnMessage } from './diagnostics.js';
import { TimingHistogram } from './histogram.js';
import { logListenerError, logRuntimeEvent, type Logger } from './logger.js';
import type { CommitOptions, CommitResult, QueryOptions, StatePort, TaskPoolPort, WriteOp } from './ports/index.js';
import { systemMetrics, type MeasuredCell, type SystemMetrics } from './system-metrics.js';

export type { SystemMetrics };

const monotonicNow = performance.now.bind(performance);

/** Counts of the events an operator watches. */
export interface EventCounts {
  readonly crashes: number;
  readonly restarts: number;
  readonly overflows: number;
  readonly taskFailures: number;
  readonly deadLetters: Readonly<Record<DeadLetterReason, number>>;
}

/** @internal */
export class SystemInstruments {
  readonly turns = new TimingHistogram();
  readonly commits = new TimingHistogram();
  readonly timings: boolean;
  readonly #logger: Logger | undefined;
  #failedCommits = 0;
  #counts = { crashes: 0, restarts: 0, overflows: 0, taskFailures: 0 };
  readonly #deadLetters: Record<DeadLetterReason, number> = { stopped: 0, failed: 0, shutdown: 0, overflow: 0, unreachable: 0 };

  /** Given to the event bus: the option, else the logger's warn, else (undefined) the bus's process warning. */
  readonly onListenerError: ListenerErrorHandler | undefined;

  constructor(options: { readonly logger?: Logger; readonly recordTimings?: boolean; readonly onListenerError?: ListenerErrorHandler }) {
    const logger = options.logger?.child({ component: 'steward' });
    this.#logger = logger;
    this.timings = options.recordTimings ?? false;
    this.onListenerError = options.onListenerError ?? (logger && ((error, event) => logListenerError(logger, error, event)));
  }

  /** The snapshot `system.metrics()` returns. */
  metrics(at: number, cells: Iterable<MeasuredCell>, pools: Readonly<Record<string, TaskPoolPort>>): SystemMetrics {
    return systemMetrics(at, cells, pools, this);
  }

  get failedCommits(): number {
    return this.#failedCommits;
  }

  get counts(): EventCounts {
    return { ...this.#counts, deadLetters: { ...this.#deadLetters } };
  }

  /** Sees each event before the bus's listeners: counts it, publishes it, logs it. */
  readonly observe = <K extends keyof RuntimeEvents>(event: K, payload: RuntimeEvents[K]): void => {
    if (event === 'dead.letter') this.#deadLetters[(payload as RuntimeEvents['dead.letter']).reason]++;
    else if (event === 'actor.crashed') this.#counts.crashes++;
    else if (event === 'actor.restarted') this.#counts.restarts++;
    else if (event === 'mailbox.overflow') this.#counts.overflows++;
    else if (event === 'task.failed') this.#counts.taskFailures++;
    const channel = runtimeChannel(event);
    if (channel.hasSubscribers) channel.publish(payload);
    if (this.#logger) logRuntimeEvent(this.#logger, event, payload);
  };

  /** A timed turn ended: into the histogram (with timings on) and onto the turn channel (while it has subscribers). */
  turnEnded(type: string, key: string, messageType: string | undefined, durationMs: number): void {
    if (this.timings) this.turns.record(durationMs);
    if (turnChannel.hasSubscribers) turnChannel.publish({ type, key, messageType, durationMs } satisfies TurnMessage);
  }

  /** `port`, its commits timed and counted. */
  timedPort(port: StatePort): StatePort {
    const commit = (batch: readonly WriteOp[], options?: CommitOptions): Promise<CommitResult> => {
      if (!this.timings && !commitChannel.hasSubscribers) return port.commit(batch, options).catch(this.#commitFailed);
      const startedAt = monotonicNow();
      return port.commit(batch, options).then(
        (result) => {
          this.#commitEnded(batch.length, monotonicNow() - startedAt, undefined);
          return result;
        },
        (error: unknown) => {
          this.#commitEnded(batch.length, monotonicNow() - startedAt, error);
          throw error;
        },
      );
    };
    const timed: StatePort = {
      get<T>(collection: string, key: string) {
        return port.get<T>(collection, key);
      },
      query<T>(collection: string, options?: QueryOptions) {
        return port.query<T>(collection, options);
      },
      commit,
      close: () => port.close(),
      ...(port.defineIndex ? { defineIndex: port.defineIndex.bind(port) } : {}),
      ...(port.queryIndex ? { queryIndex: port.queryIndex.bind(port) } : {}),
      ...(port.onUnusable ? { onUnusable: port.onUnusable.bind(port) } : {}),
    };
    return timed;
  }

  readonly #commitFailed = (error: unknown): never => {
    this.#failedCommits++;
    throw error;
  };

  #commitEnded(writes: number, durationMs: number, error: unknown): void {
    if (error !== undefined) this.#failedCommits++;
    if (this.timings) this.commits.record(durationMs);
    if (commitChannel.hasSubscribers) {
      const code = error === undefined ? undefined : String((error as { code?: unknown }).code ?? (error instanceof Error ? error.name : 'error'));
      commitChannel.publish({ writes, durationMs, ok: error === undefined, code } satisfies CommitMessage);
    }
  }
}
