import type { ActorCell } from './actor-cell.js';

/**
 * What a simulation can do to a system that a production caller cannot: the
 * actor-crash fault. Handed to {@link SimulationHooks.attach} once, when the
 * system is made.
 *
 * @example
 * ```ts
 * let control: SimulationControl | undefined;
 * const system = new ActorSystem({ simulation: { attach: (given) => (control = given) } });
 * for (const id of control?.crashableActors() ?? []) control?.crashActor(id, new Error('simulated crash'));
 * ```
 */
export interface SimulationControl {
  /** Ids of live actors between two turns, which {@link crashActor} can crash. */
  crashableActors(): string[];
  /** Crashes a live actor between two turns as if a handler had thrown `error`; its supervisor decides what follows. */
  crashActor(id: string, error: unknown): boolean;
}

/**
 * The seam the simulator plugs into (`ActorSystemOptions.simulation`): the
 * system calls `attach` with its {@link SimulationControl}. Production code
 * leaves it out.
 *
 * @example
 * ```ts
 * const faults: Array<() => unknown> = [];
 * const hooks: SimulationHooks = { attach: (control) => faults.push(() => control.crashableActors()) };
 * ```
 */
export interface SimulationHooks {
  attach(control: SimulationControl): void;
  /**
   * Where the system looks again at a condition a moment later (a
   * shutdown's drain): the simulator makes each look a step it orders.
   * Default: the next event-loop turn.
   */
  readonly defer?: (callback: () => void) => void;
}

/** The controls over a system's live cells. Simulation only, so a scan by `type/key` is fine. @internal */
export function simulationControl(cells: () => Iterable<ActorCell>): SimulationControl {
  const crashable = () => [...cells()].filter((cell) => cell.lifecycle === 'running' && !cell.mailbox.busy);
  return {
    crashableActors: () => crashable().map((cell) => cell.id),
    crashActor: (id, error) => crashable().find((cell) => cell.id === id)?.crash(error) ?? false,
  };
}
