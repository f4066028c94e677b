import type { ActorCell } from './actor-cell.js';
import type { ShutdownReport } from './actor-system-options.js';
import type { Clock } from './clock.js';
import type { StatePort, TaskPoolPort } from './ports/index.js';
import { waitUntil } from './wait-until.js';

/** Stop hooks get at least this long, even when draining used up the deadline: they are what saves state. */
const STOP_HOOK_GRACE_MS = 100;

/** What a shutdown works on: the system's cells, pools and persistence. @internal */
export interface ShutdownScope {
  cells(): ActorCell[];
  readonly pools: readonly TaskPoolPort[];
  stop(cell: ActorCell): Promise<void>;
  /** Stops already under way (each settles when its cell has stopped). */
  stopping(): Promise<void>[];
  readonly persistence: StatePort | undefined;
  /** How the drain is looked at again (the simulator's steps); default the next event-loop turn. */
  readonly defer?: ((callback: () => void) => void) | undefined;
}

/**
 * The steps of a shutdown, each bounded by what is left of the deadline:
 * pools close (queued tasks cancelled, running ones get most of the
 * deadline, their outcomes still reach live owners), mailboxes drain, every
 * cell stops (its hook after its turn in hand), then the persistence closes,
 * last, because stop hooks may save through it.
 * @internal
 */
export async function runShutdown(clock: Clock, deadlineMs: number, scope: ShutdownScope): Promise<ShutdownReport> {
  const deadline = clock.monotonic() + deadlineMs;
  const remaining = () => Math.max(0, deadline - clock.monotonic());
  // Drained: nothing queued, no turn in hand. Work still in flight (piped promises) is not waited for:
  // its outcome becomes a dead letter, which is what durable state plus reconciliation on restart are for.
  const allDrained = () => scope.cells().every((cell) => cell.drained);
  const poolDeadlineMs = Math.max(0, deadlineMs - Math.min(STOP_HOOK_GRACE_MS, deadlineMs / 2));
  const pools = Promise.allSettled(scope.pools.map((pool) => pool.close({ deadlineMs: poolDeadlineMs })));
  const drained = await waitUntil(clock, deadlineMs, allDrained, scope.defer);
  await waitUntil(clock, remaining(), pools);
  let abandoned = 0;
  const stops: Promise<void>[] = [];
  for (const cell of scope.cells()) {
    abandoned += cell.mailbox.depth;
    stops.push(scope.stop(cell));
  }
  await waitUntil(clock, Math.max(remaining(), STOP_HOOK_GRACE_MS), Promise.all([...stops, ...scope.stopping()]));
  if (scope.persistence) await waitUntil(clock, Math.max(remaining(), STOP_HOOK_GRACE_MS), scope.persistence.close());
  return { stopped: stops.length, abandoned, timedOut: !drained };
}
