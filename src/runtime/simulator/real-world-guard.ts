import { SimulationNondeterminismError } from './errors.js';

/**
 * Kinds of in-flight work that do not deliver anything back into the run:
 * the runner's own `setImmediate` (an Immediate), timers (refused on their
 * own, at the call), and writes to stdout or a pipe.
 */
const HARMLESS = new Set(['Immediate', 'Timeout', 'WriteWrap', 'ShutdownWrap', 'TTYWrap']);

/**
 * What a simulated run must not reach, because it would make the run
 * unrepeatable: real timers (refused when called) and real I/O (files,
 * sockets, DNS, child processes), whose completion would land at some
 * wall-clock moment. I/O is seen through Node's active (ref'ed) resources,
 * compared with what was active when the run began, each time the run is
 * about to yield to the event loop (the only moments such work can complete)
 * and once at its end. Real threads cannot be reached: a simulated system has
 * in-process pools only.
 * @internal
 */
export class RealWorldGuard {
  /** Every refusal, first one first; reported as a violation even if the code under test swallowed the throw. */
  readonly refusals: Error[] = [];
  readonly #baseline = countByKind(process.getActiveResourcesInfo());
  readonly #timers = { setTimeout: globalThis.setTimeout, setInterval: globalThis.setInterval };

  constructor() {
    globalThis.setTimeout = this.#refuse('setTimeout');
    globalThis.setInterval = this.#refuse('setInterval');
  }

  /** Call before yielding to the event loop: refuses I/O the run started and that could complete meanwhile. */
  checkIo(): void {
    const active = process.getActiveResourcesInfo();
    if (active.length === 0 || this.refusals.length > 0) return;
    const started: string[] = [];
    for (const [kind, count] of countByKind(active)) {
      if (!HARMLESS.has(kind) && count > (this.#baseline.get(kind) ?? 0)) started.push(kind);
    }
    if (started.length === 0) return;
    this.refusals.push(
      new SimulationNondeterminismError(
        `real I/O started during a simulated run (${started.join(', ')}): model the outside world with world.io(...) so the simulator orders it`,
      ),
    );
  }

  /** Puts the real timers back. */
  restore(): void {
    globalThis.setTimeout = this.#timers.setTimeout;
    globalThis.setInterval = this.#timers.setInterval;
  }

  #refuse(name: string): never {
    return (() => {
      const error = new SimulationNondeterminismError(
        `${name} was called during a simulated run: use the actor context's clock (ctx.startTimer / ctx.clock) so the simulator controls time`,
      );
      this.refusals.push(error);
      throw error;
    }) as never;
  }
}

function countByKind(kinds: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}
