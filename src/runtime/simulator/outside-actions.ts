import type { Operation } from './operations.js';
import type { Scenario, ScenarioAction } from './scenario.js';
import type { ActionRun, World } from './world.js';

/** One run of an action (`times` makes several), and where it stands. */
interface Instance {
  readonly name: string;
  readonly label: string;
  readonly operation: Operation;
  /** It returned, or its promise settled, once. */
  done: boolean;
  /** Incarnation of its latest run whose promise is still pending; -1: none. */
  pendingIn: number;
}

/**
 * The outside world's side of a schedule: each action run is an operation
 * that survives whole-system crashes (the outside world does not crash with
 * the system), a run whose promise was still pending at a crash, or that a
 * shutting-down system refused (`ERR_SYSTEM_STOPPED`), is sent again to the
 * new incarnation, other rejections are recorded as violations, and
 * what ran to its end is counted for coverage.
 * @internal
 */
export class OutsideActions<TCtx> {
  /** Rejections of action promises, first one first (each a violation). */
  readonly rejections: string[] = [];
  /** Actions run so far, for the `duplicate-action` fault. */
  readonly ran: ActionRun[] = [];
  readonly #instances: Instance[] = [];

  constructor(
    scenario: Scenario<TCtx, unknown>,
    private readonly world: World,
    private readonly ctx: () => TCtx,
  ) {
    for (const action of scenario.actions) {
      for (let i = 1; i <= (action.times ?? 1); i++) this.#add(action, `action ${action.name}#${i}`);
    }
  }

  /** After a whole-system crash: runs whose caller was still waiting go out again. */
  resend(): void {
    for (const instance of this.#instances) {
      if (instance.pendingIn >= 0 && instance.pendingIn < this.world.incarnation && !instance.done) {
        instance.pendingIn = -1;
        this.world.operations.add(instance.operation);
      }
    }
  }

  /** Names of the actions every run of which ran to its end. */
  covered(): string[] {
    const done = new Map<string, boolean>();
    for (const { name, done: ended } of this.#instances) done.set(name, ended && done.get(name) !== false);
    const names: string[] = [];
    for (const [name, ended] of done) if (ended) names.push(name);
    return names;
  }

  #add(action: ScenarioAction<TCtx>, label: string): void {
    const world = this.world;
    const run = () => {
      const result = action.run(this.ctx(), world);
      if (!(result instanceof Promise)) {
        instance.done = true;
        return;
      }
      const incarnation = world.incarnation;
      instance.pendingIn = incarnation;
      world.waiting.add(label);
      // Answers to a crashed incarnation's callers never arrive; the resent run's do.
      result.then(
        () => {
          if (incarnation !== world.incarnation) return;
          world.waiting.delete(label);
          instance.done = true;
          instance.pendingIn = -1;
        },
        (error: unknown) => {
          if (incarnation !== world.incarnation) return;
          // Refused by a system shutting down (a graceful restart): as a dropped connection, it goes out again to the next one.
          if ((error as { code?: unknown } | undefined)?.code === 'ERR_SYSTEM_STOPPED') return;
          world.waiting.delete(label);
          instance.done = true;
          instance.pendingIn = -1;
          this.rejections.push(`${label} rejected: ${describe(error)}`);
        },
      );
    };
    const operation: Operation = {
      kind: 'action',
      owner: label,
      label,
      external: true,
      run: () => {
        run();
        this.ran.push({ label, rerun: run });
      },
    };
    const instance: Instance = { name: action.name, label, operation, done: false, pendingIn: -1 };
    this.#instances.push(instance);
    world.operations.add(operation);
  }
}

/** An error as one line. @internal */
export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
