/**
 * The actor types a system knows, by name: one definition per name, and the
 * collections that hold their states.
 * @internal
 */
import { InvalidConfigError } from '../errors.js';
import type { ActorDefinition } from './define-actor.js';

/** @internal */
export class ActorTypes {
  readonly #definitions = new Map<string, ActorDefinition>();
  readonly #stateCollections = new Set<string>();

  /** Registers an actor type by name; `ERR_INVALID_CONFIG` if another definition has that name. */
  know(definition: ActorDefinition): void {
    const known = this.#definitions.get(definition.name);
    if (!known) {
      this.#definitions.set(definition.name, definition);
      if (definition.persistence) this.#stateCollections.add(definition.persistence.collection);
    } else if (known !== definition) throw new InvalidConfigError(`two different actor definitions are named '${definition.name}'`);
  }

  /** The actor type of that name, if known. */
  get(type: string): ActorDefinition | undefined {
    return this.#definitions.get(type);
  }

  /** Whether `collection` holds the state records of a known actor type. */
  isStateCollection(collection: string): boolean {
    return this.#stateCollections.has(collection);
  }
}
