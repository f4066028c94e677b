/**
 * One node of a simulated cluster as the world sees it: a process that runs,
 * is frozen (SIGSTOP, a GC pause: its turns, timers and replies wait while
 * virtual time passes) or is dead (SIGKILL: nothing of it runs again). Every
 * piece of the node's code the simulator drives goes through
 * {@link NodeProcess.step} or {@link NodeProcess.whenAwake}, so freezing and
 * killing hold or drop all of it at once.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { VirtualClock } from '../virtual-clock.js';
import type { SimulationWorld } from './world.js';

/** A simulated node process. @internal */
export class NodeProcess {
  #state: 'running' | 'frozen' | 'dead' = 'running';
  /** What came due while frozen, in the order it did. */
  #held: Array<() => void> = [];

  constructor(
    readonly id: string,
    private readonly world: SimulationWorld,
  ) {}

  get state(): 'running' | 'frozen' | 'dead' {
    return this.#state;
  }

  /** Node code the strategy orders as a step of its own (a turn, a send); held while frozen, dropped once dead. */
  step(label: string, run: () => void): void {
    void this.world.io(`${this.id} ${label}`, () => this.whenAwake(run), { failable: false });
  }

  /** Runs `run` now if the node runs; holds it until it thaws if frozen; never if it is dead. */
  whenAwake(run: () => void): void {
    if (this.#state === 'running') run();
    else if (this.#state === 'frozen') this.#held.push(run);
  }

  /** Resolves with `value` once the node is awake to see it (a reply reaching the process). */
  deliver<T>(value: T): Promise<T> {
    return new Promise<T>((resolve) => this.whenAwake(() => resolve(value)));
  }

  freeze(): void {
    if (this.#state === 'running') this.#state = 'frozen';
  }

  /** Wakes the node: what came due meanwhile runs, each piece a step the strategy orders. */
  thaw(): void {
    if (this.#state !== 'frozen') return;
    this.#state = 'running';
    for (const run of this.#held.splice(0)) this.step('resumes', run);
  }

  kill(): void {
    this.#state = 'dead';
    this.#held = [];
  }
}

/** The virtual clock as one node process sees it: its timers wait while it is frozen and die with it. @internal */
export class NodeClock implements Clock {
  readonly #handles = new Set<TimerHandle>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly process: NodeProcess,
  ) {}

  now(): number {
    return this.clock.now();
  }

  monotonic(): number {
    return this.clock.monotonic();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    if (this.process.state === 'dead') return {};
    const handle = this.clock.setTimer(delayMs, () => {
      this.#handles.delete(handle);
      this.process.whenAwake(callback);
    });
    this.#handles.add(handle);
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    if (this.#handles.delete(handle)) this.clock.clearTimer(handle);
  }

  kill(): void {
    for (const handle of this.#handles) this.clock.clearTimer(handle);
    this.#handles.clear();
  }
}
