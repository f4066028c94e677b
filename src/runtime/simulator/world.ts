import type { SimulationControl } from '../simulation-hooks.js';
import type { PersistencePort } from '../actor-context.js';
import type { ActorRef } from '../actor-ref.js';
import { ActorSystem } from '../actor-system.js';
import type { ActorDefinition, StateOf } from '../define-actor.js';
import { SeededRandom } from '../random.js';
import { VirtualClock } from '../virtual-clock.js';
import { InProcessPool } from '../../pools/in-process-pool.js';
import { MemoryStore } from '../../persistence/memory-store.js';
import { Persistence } from '../../persistence/persistence.js';
import { SimulatedFaultError } from './errors.js';
import { IncarnationClock } from './incarnation-clock.js';
import { IncarnationStore } from './incarnation-store.js';
import { Transit } from './transit.js';
import { OperationSet, type Operation } from './operations.js';
import type { Scenario } from './scenario.js';

/**
 * Options of {@link SimulationWorld.io}.
 *
 * @example
 * ```ts
 * declare const service: { accept(jobId: string): Promise<boolean> };
 * const accepted = await world.io('service accepts job-7', () => service.accept('job-7'), { external: true, failable: false });
 * ```
 */
export interface IoOptions {
  /** The step belongs to the world outside the process (a remote service): it survives a whole-system crash. */
  readonly external?: boolean;
  /** Whether the `fail-io` fault may fail this step. Default true. */
  readonly failable?: boolean;
}

/**
 * What a scenario sees of a simulated run: the system (rebuilt after a
 * whole-system crash), its store, virtual time, seeded randomness, and
 * `io()` for await gaps in code under test that is not an actor.
 *
 * @example
 * ```ts
 * const Counter = defineActor({ name: 'counter', messages: { add: z.object({}) }, initialState: () => ({ count: 0 }), handlers: { add: (_p, ctx) => void ctx.state.count++ } });
 * const neverOver = (world: SimulationWorld) => (world.peek(world.system.ref(Counter, 'c-1'))?.count ?? 0) <= 3;
 * ```
 */
export interface SimulationWorld {
  readonly seed: number;
  readonly clock: VirtualClock;
  /** Seeded randomness for the scenario's own choices; the system has its own stream. */
  readonly random: SeededRandom;
  /** The current system; a new one after each whole-system crash. */
  readonly system: ActorSystem;
  /** How many whole-system crashes happened so far. */
  readonly incarnation: number;
  /** The store every incarnation shares; commits land when the strategy picks them. */
  readonly store: MemoryStore;
  /** The current incarnation's persistence actor. */
  readonly persistence: PersistencePort;
  /** The state of a live actor (for invariants); `undefined` if it is not live (never activated, passivated, or lost in a crash). */
  peek<TDef extends ActorDefinition>(ref: ActorRef<TDef>): StateOf<TDef> | undefined;
  /**
   * The actor's record in the store (its `persistence.collection`, under its
   * key), live or not: what survives a crash. `undefined` before its first save.
   */
  durable<TDef extends ActorDefinition>(ref: ActorRef<TDef>): StateOf<TDef> | undefined;
  /**
   * Scratch state of this run, made by `make` on first use and the same
   * object for the rest of the run, across whole-system crashes (which rerun
   * `setup`): where a scenario keeps what the outside world saw (acknowledged
   * writes, answers) to check the system against.
   */
  scratch<T>(name: string, make: () => T): T;
  /**
   * An await gap the strategy orders: resolves with `value` when the step
   * `io <label>` is picked (or rejects, under the `fail-io` fault, or when
   * `value` throws). With `external`, the step belongs to the world outside
   * the process (a remote service) and survives a whole-system crash.
   */
  io<T>(label: string, value: T | (() => T), options?: IoOptions): Promise<T>;
}

/** The record of `ref` in `store`, if its definition persists and it saved one. @internal */
export function durableState<TDef extends ActorDefinition>(store: Pick<MemoryStore, 'read'>, ref: ActorRef<TDef>): StateOf<TDef> | undefined {
  const collection = ref.definition.persistence?.collection;
  return collection === undefined ? undefined : store.read<StateOf<TDef>>(collection, ref.key)?.value;
}

/** One run's scratch entry `name`, made on first use. @internal */
export function scratchOf<T>(scratch: Map<string, unknown>, name: string, make: () => T): T {
  if (!scratch.has(name)) scratch.set(name, make());
  return scratch.get(name) as T;
}

/** An action that ran, and how to send it again. @internal */
export interface ActionRun {
  readonly label: string;
  readonly rerun: () => void;
}

/** Drives one schedule's world: operations, incarnations, crashes. @internal */
export class World implements SimulationWorld {
  readonly clock = new VirtualClock();
  readonly random: SeededRandom;
  readonly store: MemoryStore;
  readonly operations = new OperationSet();
  /** Outside callers still waiting for an answer (deadlock detection). */
  readonly waiting = new Set<string>();
  incarnation = 0;
  /** While the scenario's `init` seeds the store, commits land at once: there is no schedule yet to order them. */
  initializing = false;
  #system!: ActorSystem;
  #control: SimulationControl | undefined;
  #persistence!: Persistence;
  #clockView!: IncarnationClock;
  #storeView!: IncarnationStore;
  #alive = { value: true };
  readonly #systemRandom: SeededRandom;

  constructor(
    readonly seed: number,
    private readonly scenario: Scenario<unknown>,
  ) {
    this.random = new SeededRandom(seed ^ 0x5eed);
    this.#systemRandom = new SeededRandom(seed ^ 0xacdc);
    this.store = new MemoryStore({
      clock: this.clock,
      gate: (release, fail) => (this.initializing ? release() : this.operations.add({ kind: 'commit', owner: 'store', label: 'commit', run: release, fail })),
    });
    this.boot();
  }

  get system(): ActorSystem {
    return this.#system;
  }

  get persistence(): PersistencePort {
    return this.#persistence;
  }

  peek<TDef extends ActorDefinition>(ref: ActorRef<TDef>): StateOf<TDef> | undefined {
    return this.#system.peekState(ref);
  }

  durable<TDef extends ActorDefinition>(ref: ActorRef<TDef>): StateOf<TDef> | undefined {
    return durableState(this.store, ref);
  }

  scratch<T>(name: string, make: () => T): T {
    return scratchOf(this.#scratch, name, make);
  }

  readonly #scratch = new Map<string, unknown>();

  io<T>(label: string, value: T | (() => T), options: IoOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.operations.add({
        kind: 'io',
        owner: `io ${label}`,
        label: `io ${label}`,
        run: () => {
          try {
            resolve(typeof value === 'function' ? (value as () => T)() : value);
          } catch (error) {
            reject(error);
          }
        },
        ...(options.failable === false ? {} : { fail: reject }),
        external: options.external ?? false,
      });
    });
  }

  /** Starts a system incarnation bound to this world's virtual time, seeded ids, in-process pools and store. */
  boot(): void {
    const alive = (this.#alive = { value: true });
    const clock = (this.#clockView = new IncarnationClock(this.clock));
    const pools = Object.fromEntries(
      Object.entries(this.scenario.pools ?? {}).map(([name, options]) => [
        name,
        new InProcessPool({
          name,
          clock,
          concurrency: options.concurrency ?? 1,
          ...(options.defaultTimeoutMs === undefined ? {} : { defaultTimeoutMs: options.defaultTimeoutMs }),
          ...(options.concurrentTasksPerWorker === undefined ? {} : { concurrentTasksPerWorker: options.concurrentTasksPerWorker }),
          ...(options.recycleGraceMs === undefined ? {} : { recycleGraceMs: options.recycleGraceMs }),
          gate: (release, crash, step) =>
            alive.value &&
            this.operations.add({ kind: 'task', owner: `pool ${name}`, label: step === 'completion' ? `task ${name}` : `task ${name} ${step}`, run: release, fail: crash }),
        }),
      ]),
    );
    this.#storeView = new IncarnationStore(this.store);
    this.#persistence = new Persistence(this.#storeView, { clock, closeStore: false });
    this.#system = new ActorSystem({
      clock,
      random: this.#systemRandom,
      messagesPerTurn: 1,
      askTimeoutMs: this.scenario.askTimeoutMs ?? 5_000,
      pools,
      persistence: this.#persistence,
      ...(this.scenario.reminders ? { reminders: this.scenario.reminders } : {}),
      simulation: {
        attach: (control) => (this.#control = control),
        // A shutdown's drain looks again when the strategy picks it, like any step of this incarnation.
        defer: (callback) => alive.value && this.operations.add({ kind: 'turn', owner: 'shutdown', label: 'shutdown looks at the drain', run: callback }),
      },
      ...(this.scenario.faults?.includes('delay-message') ? { inbound: new Transit(this.operations, alive).send } : {}),
      scheduler: {
        schedule: (owner, turn) => {
          if (alive.value) this.operations.add({ kind: 'turn', owner, label: `turn ${owner}`, run: turn });
        },
      },
    });
  }

  /** The whole process dies: every pending step and timer of this incarnation is gone, unacknowledged commits are lost. */
  crash(): void {
    this.#alive.value = false;
    this.#clockView.kill();
    this.#storeView.kill();
    this.operations.clearInternal();
    this.waiting.clear();
    this.store.crash();
    this.incarnation++;
    this.boot();
  }

  /** The incarnation whose graceful restart is under way, if any: one at a time. */
  #restarting: number | undefined;

  /**
   * A graceful restart: the system shuts down within a virtual deadline, its
   * steps ordered like any others; once it has, booting the next incarnation
   * is a step of its own (nothing unacknowledged is left to lose by then). A
   * crash during the shutdown wins: the reboot step then never comes.
   */
  #restart(): void {
    const incarnation = (this.#restarting = this.incarnation);
    const alive = this.#alive;
    void this.#system.shutdown({ deadlineMs: 5_000 }).finally(() => {
      if (!alive.value || this.incarnation !== incarnation) return;
      this.operations.add({ kind: 'boot', owner: 'world', label: 'boot after graceful shutdown', run: () => this.crash() });
    });
  }

  /** Enabled operations, plus the clock's next timer as a step of its own (the last one). Valid until the next call. */
  enabled(): readonly Operation[] {
    const due = this.clock.nextDueAt();
    if (due !== undefined && this.#timerStep?.at !== due) {
      this.#timerStep = { at: due, operation: { kind: 'timer', owner: 'clock', label: `timer @${due}`, run: () => void this.clock.fireNext() } };
    }
    return this.operations.listWithLast(due === undefined ? undefined : this.#timerStep?.operation);
  }

  #timerStep: { readonly at: number; readonly operation: Operation } | undefined;

  /** Faults that could be injected now. */
  faults(kinds: ReadonlySet<string>, ran: ActionRun[]): Operation[] {
    const faults: Operation[] = [];
    const failable = (kind: string) => this.operations.list().filter((operation) => operation.kind === kind && operation.fail);
    const fail = (operation: Operation, what: string) => ({
      kind: 'fault' as const,
      owner: 'faults',
      label: `fault: ${what} (${operation.label})`,
      run: () => {
        this.operations.take(operation);
        operation.fail?.(new SimulatedFaultError(`simulated fault: ${what}`));
      },
    });
    if (kinds.has('crash-actor')) {
      for (const id of this.#control?.crashableActors() ?? []) {
        faults.push({
          kind: 'fault',
          owner: 'faults',
          label: `fault: crash actor ${id}`,
          run: () => void this.#control?.crashActor(id, new SimulatedFaultError(`simulated crash of actor ${id}`)),
        });
      }
    }
    if (kinds.has('fail-commit')) for (const operation of failable('commit')) faults.push(fail(operation, 'failed commit'));
    if (kinds.has('crash-task')) for (const operation of failable('task')) faults.push(fail(operation, 'crashed task'));
    if (kinds.has('fail-io')) for (const operation of failable('io')) faults.push(fail(operation, 'failed io'));
    if (kinds.has('crash-system')) {
      faults.push({ kind: 'fault', owner: 'faults', label: 'fault: crash system', run: () => this.crash() });
    }
    if (kinds.has('restart-system') && this.#restarting !== this.incarnation) {
      faults.push({ kind: 'fault', owner: 'faults', label: 'fault: restart system', run: () => this.#restart() });
    }
    if (kinds.has('duplicate-action')) {
      for (const action of ran) {
        const run = () => {
          ran.splice(ran.indexOf(action), 1); // once per action is enough to expose at-least-once bugs
          action.rerun();
        };
        faults.push({ kind: 'fault', owner: 'faults', label: `fault: duplicate ${action.label}`, run });
      }
    }
    return faults;
  }
}
