/**
 * Which cell lives for each actor id: get-or-spawn (one live cell per id,
 * however many look-ups race), the live-actor cap's recency order and
 * passivation, and the stops under way (a respawn waits for its predecessor's).
 */
import { ActorCell } from './actor-cell.js';
import type { ActorRef } from './actor-ref.js';
import type { CellHost } from './cell-host.js';
import type { Clock } from './clock.js';
import type { DeathWatch } from './death-watch.js';
import type { ActorDefinition, StopReason } from './define-actor.js';
import { passivateLeastRecent, watchIdle } from './passivation.js';

/** @internal */
export class CellRegistry {
  readonly #cells = new Map<string, ActorCell>();
  readonly #stopping = new Map<string, Promise<void>>();
  readonly #host: CellHost;
  readonly #clock: Clock;
  readonly #maxLiveActors: number;
  readonly #deathWatch: DeathWatch;
  /** Whether new cells may be spawned (the system runs). */
  readonly #spawning: () => boolean;

  constructor(host: CellHost, clock: Clock, maxLiveActors: number, deathWatch: DeathWatch, spawning: () => boolean) {
    this.#host = host;
    this.#clock = clock;
    this.#maxLiveActors = maxLiveActors;
    this.#deathWatch = deathWatch;
    this.#spawning = spawning;
  }

  get size(): number {
    return this.#cells.size;
  }

  get(id: string): ActorCell | undefined {
    return this.#cells.get(id);
  }

  cells(): IterableIterator<ActorCell> {
    return this.#cells.values();
  }

  /** The stop under way of the cell that had `id`, if any. */
  stopping(id: string): Promise<void> | undefined {
    return this.#stopping.get(id);
  }

  allStopping(): Promise<void>[] {
    return [...this.#stopping.values()];
  }

  /** The live cell of `ref`, spawned if absent; `undefined` if it is stopped for good or the system no longer spawns. */
  cellFor(ref: ActorRef<ActorDefinition>, id: string): ActorCell | undefined {
    let cell = this.#cells.get(id);
    if (cell) {
      if (this.#maxLiveActors !== Infinity) {
        this.#cells.delete(id); // re-insert: Map order is our recency order
        this.#cells.set(id, cell);
      }
    } else {
      if (this.#deathWatch.tombstone(id) || !this.#spawning()) return undefined;
      cell = this.#spawn(ref.definition, ref.key, id);
    }
    // Refs cache their cell for the tell fast path, except when recency must be tracked for the live-actor cap.
    if (this.#maxLiveActors === Infinity) ref.cell = cell;
    return cell;
  }

  /** Takes the cell out of the registry and stops it (a final stop is buried in the death watch); resolves once stopped. */
  stop(cell: ActorCell, reason: StopReason): Promise<void> {
    if (cell.stopped) return cell.stopped;
    const id = cell.registryKey;
    if (this.#cells.get(id) === cell) this.#cells.delete(id);
    if (reason !== 'passivated' && reason !== 'shutdown') this.#deathWatch.bury(id, reason);
    const stopped = cell.stopWith(reason);
    this.#stopping.set(id, stopped);
    return stopped;
  }

  /** The cell has stopped: its stop is no longer under way. */
  stopped(cell: ActorCell): void {
    const id = cell.registryKey;
    if (this.#stopping.get(id) === cell.stopped) this.#stopping.delete(id);
  }

  #spawn(definition: ActorDefinition, key: string, id: string): ActorCell {
    const cell = new ActorCell(this.#host, definition, key, id);
    this.#cells.set(id, cell);
    cell.activate(this.#stopping.get(id));
    if (definition.passivation) watchIdle(this.#clock, cell, definition.passivation.idleAfterMs, this.#isLive, this.#passivate);
    if (this.#cells.size > this.#maxLiveActors) passivateLeastRecent(this.#cells, this.#maxLiveActors, cell, this.#passivate);
    return cell;
  }

  // Made once per registry, not per spawn.
  readonly #isLive = (cell: ActorCell): boolean => this.#cells.get(cell.registryKey) === cell;
  readonly #passivate = (idle: ActorCell): void => void this.stop(idle, 'passivated');
}
