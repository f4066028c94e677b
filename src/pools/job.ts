/**
 * One run as the dispatcher tracks it, from its queue to its settlement. It
 * is also the listener on the caller's signal (`handleEvent`) and the
 * argument of its deadline, so a run allocates no closure for either.
 * @internal
 */
import type { MessageIssue } from '../errors.js';
import type { Deadline } from '../runtime/ports/index.js';
import type { BackendJob, ChannelHandlers } from './dispatcher.js';
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
