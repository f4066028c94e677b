import { nextMicrotask } from "./microtask.js";

/**
 * Decides when an actor with queued messages gets its next turn. The runtime
 * never runs a turn on its own: it asks the scheduler. Production runs turns
 * on the microtask queue; the simulator holds each turn as an enabled step and
 * lets its strategy pick which actor goes next.
 *
 * @example
 * ```ts
 * const fifo: TurnScheduler = { schedule: (_owner, run) => queueMicrotask(run) };
 * ```
 */
export interface TurnScheduler {
  /** Runs `turn` once, later. `owner` names the actor, for schedulers that choose between actors. */
  schedule(owner: string, turn: () => void): void;
}

/**
 * Runs turns as microtasks, through a settled promise: the cheapest hop in
 * Node (`queueMicrotask` wraps each callback in an async-hooks resource,
 * which cost a fifth of an ask's round trip). The runtime bounds how many
 * messages one turn drains, then yields with `setImmediate` so actors that
 * keep messaging each other cannot starve I/O.
 *
 * @example
 * ```ts
 * new ActorSystem({ scheduler: microtaskScheduler });
 * ```
 */
export const microtaskScheduler: TurnScheduler = {
  schedule: (_owner, turn) => nextMicrotask(turn),
};
