import type { ActorRef } from './actor-ref.js';
import type { ActorDefinition, StopReason } from './define-actor.js';

/** A stop that is final: every reason but passivation. @internal */
export type FinalReason = Exclude<StopReason, 'passivated'>;

/** Default bound on remembered final stops. */
export const DEFAULT_MAX_TOMBSTONES = 10_000;

/**
 * Who watches whom, and which actors stopped for good (tombstones), keyed by
 * registry key. Both are bounded: tombstones by an LRU of `maxTombstones`
 * (the oldest forgotten first: a message to a forgotten one spawns it
 * afresh), watches by their watchers (a watcher that stops for good leaves
 * nothing behind).
 * @internal
 */
export class DeathWatch {
  readonly #tombstones = new Map<string, FinalReason>();
  /** target → watcher registry key → watcher ref. */
  readonly #watchers = new Map<string, Map<string, ActorRef<ActorDefinition>>>();
  /** watcher → targets it watches, so its stop removes its entries. */
  readonly #watching = new Map<string, Set<string>>();

  constructor(private readonly maxTombstones: number) {}

  get tombstones(): number {
    return this.#tombstones.size;
  }

  get watches(): number {
    let count = 0;
    for (const watchers of this.#watchers.values()) count += watchers.size;
    return count;
  }

  tombstone(id: string): FinalReason | undefined {
    return this.#tombstones.get(id);
  }

  bury(id: string, reason: FinalReason): void {
    this.#tombstones.delete(id); // re-insert: Map order is our age order
    this.#tombstones.set(id, reason);
    if (this.#tombstones.size <= this.maxTombstones) return;
    const oldest = this.#tombstones.keys().next();
    if (!oldest.done) this.#tombstones.delete(oldest.value);
  }

  /** Forgets a final stop: the next message spawns the actor afresh. */
  revive(id: string): boolean {
    return this.#tombstones.delete(id);
  }

  watch(watcherId: string, watcher: ActorRef<ActorDefinition>, targetId: string): void {
    let watchers = this.#watchers.get(targetId);
    if (!watchers) this.#watchers.set(targetId, (watchers = new Map()));
    watchers.set(watcherId, watcher);
    let targets = this.#watching.get(watcherId);
    if (!targets) this.#watching.set(watcherId, (targets = new Set()));
    targets.add(targetId);
  }

  unwatch(watcherId: string, targetId: string): void {
    const watchers = this.#watchers.get(targetId);
    watchers?.delete(watcherId);
    if (watchers?.size === 0) this.#watchers.delete(targetId);
    const targets = this.#watching.get(watcherId);
    targets?.delete(targetId);
    if (targets?.size === 0) this.#watching.delete(watcherId);
  }

  /** The watchers of `targetId`, removed: each is told once. */
  takeWatchers(targetId: string): ActorRef<ActorDefinition>[] {
    const watchers = this.#watchers.get(targetId);
    if (!watchers) return [];
    this.#watchers.delete(targetId);
    for (const watcherId of watchers.keys()) {
      const targets = this.#watching.get(watcherId);
      targets?.delete(targetId);
      if (targets?.size === 0) this.#watching.delete(watcherId);
    }
    return [...watchers.values()];
  }

  /** A watcher stopped for good: its watches go with it. */
  forgetWatcher(watcherId: string): void {
    const targets = this.#watching.get(watcherId);
    if (!targets) return;
    this.#watching.delete(watcherId);
    for (const targetId of targets) {
      const watchers = this.#watchers.get(targetId);
      watchers?.delete(watcherId);
      if (watchers?.size === 0) this.#watchers.delete(targetId);
    }
  }
}
