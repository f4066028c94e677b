/**
 * Which cell lives for each actor id: get-or-spawn (one live cell per id,
 * however many look-ups race), the live-actor cap's recency order and
 * passivation, and the stops under way (a respawn waits for its predecessor's).
 */
import { ActorCell } from './actor-cell.js';
import { keyOf } from './actor-id.js';
import type { ActorRef } from './actor-ref.js';
import type { CellHost } from './cell-host.js';
import type { Clock } from './clock.js';
import type { DeathWatch } from './death-watch.js';
import type { ActorDefinition, StopReason } from './define-actor.js';
import { passivateLeastRecent, watchIdle } from './passivation.js';

/** @internal */
export class CellRegistry {
  /** By registry key, in recency order (the live-actor cap's) and the order the simulator lists cells in. */
  readonly #cells = new Map<string, ActorCell>();
  /**
   * The same cells by type name, then key: how a message finds its cell. The
   * ref's own strings hash once and are looked up as they are; a registry
   * key built per message is a fresh string, hashed and compared anew each
   * time, which cost several times the look-up itself.
   */
  readonly #byType = new Map<string, Map<string, ActorCell>>();
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

  /** The live cell of `(type, key)`, if any. */
  live(type: string, key: string): ActorCell | undefined {
    return this.#byType.get(type)?.get(key);
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
  cellFor(ref: ActorRef<ActorDefinition>): ActorCell | undefined {
    let cell = this.live(ref.type, ref.key);
    if (cell) {
      if (this.#maxLiveActors !== Infinity) {
        this.#cells.delete(cell.registryKey); // re-insert: Map order is our recency order
        this.#cells.set(cell.registryKey, cell);
      }
    } else {
      const id = keyOf(ref);
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
    if (this.#cells.get(id) === cell) this.#remove(cell);
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
    this.#add(cell);
    cell.activate(this.#stopping.get(id));
    if (definition.passivation) watchIdle(this.#clock, cell, definition.passivation.idleAfterMs, this.#isLive, this.#passivate);
    if (this.#cells.size > this.#maxLiveActors) passivateLeastRecent(this.#cells, this.#maxLiveActors, cell, this.#passivate);
    return cell;
  }

  // Made once per registry, not per spawn.
  readonly #isLive = (cell: ActorCell): boolean => this.#cells.get(cell.registryKey) === cell;
  readonly #passivate = (idle: ActorCell): void => void this.stop(idle, 'passivated');

  #add(cell: ActorCell): void {
    this.#cells.set(cell.registryKey, cell);
    let byKey = this.#byType.get(cell.definition.name);
    if (!byKey) this.#byType.set(cell.definition.name, (byKey = new Map()));
    byKey.set(cell.key, cell);
  }

  #remove(cell: ActorCell): void {
    this.#cells.delete(cell.registryKey);
    const byKey = this.#byType.get(cell.definition.name);
    byKey?.delete(cell.key);
    if (byKey?.size === 0) this.#byType.delete(cell.definition.name);
  }
}
