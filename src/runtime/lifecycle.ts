/**
 * The states of one actor cell:
 *
 * ```text
 *   activating ──started──▶ running ──failed──▶ restarting ──reloaded──▶ running
 *        │                    │                    │  ▲ failed again
 *        └────────────────────┴──── stop ──────────┴──┴──▶ stopping ──hook done──▶ stopped
 * ```
 *
 * Rules derived from it:
 * - messages are handed out only in `running`; `activating` and `restarting`
 *   hold them (the mailbox is suspended), `stopping` and `stopped` refuse them;
 * - each entry into `running` from a (re)load is a new *incarnation*: work
 *   begun by an earlier one (a timer, a save in flight) cannot change the
 *   current one's state bookkeeping;
 * - `stopping` waits for the turn in hand before `onStop` runs, and a stop
 *   from `restarting` cancels the backoff.
 * @internal
 */
export type LifecycleStatus = 'activating' | 'running' | 'restarting' | 'stopping' | 'stopped';

const NEXT: Readonly<Record<LifecycleStatus, readonly LifecycleStatus[]>> = {
  activating: ['running', 'restarting', 'stopping'],
  running: ['restarting', 'stopping'],
  restarting: ['running', 'restarting', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
};

/** The status after `from → to`; a transition the diagram does not have is a runtime bug. @internal */
export function transition(from: LifecycleStatus, to: LifecycleStatus): LifecycleStatus {
  if (!NEXT[from].includes(to)) throw new Error(`steward bug: actor lifecycle cannot go from '${from}' to '${to}'`);
  return to;
}
