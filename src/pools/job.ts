/**
 * One run as the dispatcher tracks it, from its queue to its settlement. It
 * is also the listener on the caller's signal (`handleEvent`) and the
 * argument of its deadline, so a run allocates no closure for either.
 * @internal
 */
import type { MessageIssue } from '../errors.js';
import { summarizeIssues, toIssues } from '../issues.js';
import type { Deadline } from '../runtime/ports/index.js';
import type { BackendJob, ChannelHandlers } from './dispatcher.js';
import { ChannelClosedError, InvalidTaskResultError } from './errors.js';
import type { StopSignal } from './stop-signal.js';
import type { AnyTaskDefinition, RunTaskOptions, TaskReceiver } from './task.js';

export class Job implements BackendJob {
  settled = false;
  running = false;
  queued = false;
  timeoutMs = 0;
  deadline: Deadline | undefined = undefined;
  stop: StopSignal | undefined = undefined;
  channel: ChannelHandlers | undefined = undefined;
  progressIssues: readonly MessageIssue[] | undefined = undefined;
  thread: number | undefined = undefined;
  /** When the run was accepted (performance.now()), set only while `steward:pool.task` has subscribers. */
  acceptedAt = Number.NaN;
  #label: string | undefined;

  constructor(
    readonly id: number,
    readonly pool: string,
    readonly task: AnyTaskDefinition,
    readonly input: unknown,
    readonly options: RunTaskOptions<unknown>,
    readonly receiver: TaskReceiver<unknown>,
    /** The dispatcher's abort handler; the job itself is the signal's listener, so no closure per run. */
    readonly onAbort: (job: Job) => void,
  ) {}

  get label(): string {
    return (this.#label ??= labelOf(this.task, this.id, this.pool));
  }

  handleEvent(): void {
    this.onAbort(this);
  }
}

export function labelOf(task: AnyTaskDefinition, id: number, pool: string): string {
  return `task "${task.name}" #${id} on pool "${pool}"`;
}

/** What the owner's side serves on `job`'s channel: progress validated against the task's schema, heartbeats. */
export function channelHandlers(job: Job): ChannelHandlers {
  const closed = (): ChannelClosedError => new ChannelClosedError(`progress channel of ${job.label} is closed: the run already settled`);
  return {
    progress: (report: unknown) => {
      if (job.settled) throw closed();
      const schema = job.task.progress;
      const parsed = schema ? schema.safeParse(report) : undefined;
      if (!parsed?.success) {
        const issues = parsed ? toIssues(parsed.error.issues) : [{ path: [], message: 'this task has no progress schema', code: 'custom' }];
        job.progressIssues ??= issues;
        throw new InvalidTaskResultError(`${job.label} sent invalid progress (${summarizeIssues(issues)})`, issues);
      }
      job.options.onProgress?.(parsed.data);
    },
    heartbeat: () => {
      if (job.settled) throw closed();
      job.options.onHeartbeat?.();
    },
  };
}
