/**
 * What a system does with its ownership port: the control it hands the port
 * (deactivate an actor whose lease is gone, deliver a message here once the
 * port holds the entity), and, when the port forwards, offering it each
 * message for an entity with no live actor here and handing on what an actor
 * that lost its entity had queued.
 * @internal
 */
import { InvalidMessageError } from '../errors.js';
import type { ActorCell } from './actor-cell.js';
import { keyOf } from './actor-id.js';
import type { ActorRef } from './actor-ref.js';
import { ask } from './ask.js';
import type { CellRegistry } from './cell-registry.js';
import { deadLetter } from './dead-letters.js';
import type { Deadlines } from './deadlines.js';
import type { DeathWatch } from './death-watch.js';
import type { ActorDefinition } from './define-actor.js';
import type { Envelope, UserEnvelope } from './envelope.js';
import type { RuntimeEventBus } from './events.js';
import type { OwnershipPort } from './ports/index.js';
import { parseMessage } from './validation.js';

/** What it works with, from its system. @internal */
export interface SystemOwnershipParts {
  readonly port: OwnershipPort;
  readonly cells: CellRegistry;
  readonly events: RuntimeEventBus;
  readonly deathWatch: DeathWatch;
  readonly deadlines: Deadlines;
  /** True until shutdown begins. */
  readonly running: () => boolean;
  /** The actor type of that name, if the system knows it. */
  readonly definition: (type: string) => ActorDefinition | undefined;
  /** A ref made inside the system (trusted) or as from outside (its messages validated). */
  readonly ref: (definition: ActorDefinition, key: string, internal: boolean) => ActorRef<ActorDefinition>;
  /** Delivers as a ref does (routed again if need be), telling an asker of any refusal. */
  readonly arrive: (ref: ActorRef<ActorDefinition>, envelope: UserEnvelope) => void;
  /** Delivers to the local actor, never routed. */
  readonly deliverHere: (ref: ActorRef<ActorDefinition>, envelope: UserEnvelope) => void;
}

/** @internal */
export class SystemOwnership {
  constructor(private readonly parts: SystemOwnershipParts) {
    parts.port.attach({
      deactivate: (type, key, code, token) => this.#deactivate(type, key, code, token),
      knows: (type) => parts.definition(type) !== undefined,
      check: (type, message, payload) => void parseMessage(this.#definition(type), message, payload),
      deliver: (type, key, message, payload, mode, timeoutMs) => this.#deliver(type, key, message, payload, mode, timeoutMs),
    });
  }

  /**
   * The cell lost its entity (deactivated) or never got it (claim refused):
   * it passivates, and the messages it had queued go where the entity is
   * owned now when the port forwards (else they are dead letters).
   */
  lostEntity(cell: ActorCell, inHand?: Envelope): Promise<void> {
    const forwards = this.parts.port.forward !== undefined;
    const queued = forwards ? cell.mailbox.takeAll() : [];
    if (inHand) queued.unshift(inHand); // it was first in line
    const stopped = this.parts.cells.stop(cell, 'passivated');
    const handedOn = queued.filter((envelope): envelope is UserEnvelope => envelope.kind === 'user' && !envelope.timer);
    if (handedOn.length > 0) {
      const ref = this.parts.ref(cell.definition, cell.key, true);
      for (const envelope of handedOn) {
        if (forwards) this.parts.arrive(ref, envelope);
        else deadLetter(this.parts.events, ref.type, ref.key, envelope, 'stopped');
      }
    }
    return stopped;
  }

  /**
   * The cell's lease ran out by this process's own clock before the turn of
   * `envelope` began (a node resumed after a freeze past its lease, before
   * its port's clock check came round): it is deactivated without running
   * that turn, and the message goes first, ahead of those queued.
   */
  outlived(cell: ActorCell, envelope: Envelope): Promise<void> {
    return this.#deactivated(cell, 'ERR_LEASE_EXPIRED', envelope);
  }

  /** Offers a message for an entity with no live actor here to a port that forwards: true if it took it (to deliver wherever the entity is owned). */
  routed(ref: ActorRef<ActorDefinition>, envelope: UserEnvelope): boolean {
    const { port, cells, deathWatch, events } = this.parts;
    if (!port.forward || !this.parts.running() || cells.live(ref.type, ref.key) || deathWatch.tombstone(keyOf(ref))) return false;
    return port.forward({
      type: ref.type,
      key: ref.key,
      message: envelope.type,
      payload: envelope.payload,
      reply: envelope.reply,
      undelivered: () => deadLetter(events, ref.type, ref.key, envelope, 'unreachable'),
    });
  }

  /** The port lost `(type, key)`: its live actor (the one under `token`, if given) passivates; the next message activates it wherever it is owned then. */
  #deactivate(type: string, key: string, code: string, token: number | undefined): Promise<void> {
    const cell = this.parts.cells.live(type, key);
    // An actor still claiming has no fence yet: it gets the lease that stands when its claim ends.
    if (!cell || (token !== undefined && cell.fence?.token !== token)) return Promise.resolve();
    return this.#deactivated(cell, code);
  }

  /** The cell's lease is gone (`code` says how): reported, then the cell is taken out of service as {@link lostEntity} does. */
  #deactivated(cell: ActorCell, code: string, inHand?: Envelope): Promise<void> {
    this.parts.events.emit('actor.deactivated', { type: cell.definition.name, key: cell.key, code });
    return this.lostEntity(cell, inHand);
  }

  /** A message the port delivers here once it holds the entity: to the local actor, never routed again. */
  #deliver(type: string, key: string, message: string, payload: unknown, mode: 'tell' | 'ask', timeoutMs: number): Promise<unknown> {
    try {
      const definition = this.#definition(type);
      const ref = this.parts.ref(definition, key, false);
      const parsed = parseMessage(definition, message, payload);
      if (mode === 'ask') return ask(this.parts.deadlines, timeoutMs, ref, message, parsed, undefined, this.parts.deliverHere);
      this.parts.deliverHere(ref, { kind: 'user', type: message, payload: parsed, reply: undefined });
      return Promise.resolve(undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The actor type of that name; `ERR_INVALID_MESSAGE` if the system knows none. */
  #definition(type: string): ActorDefinition {
    const definition = this.parts.definition(type);
    if (definition) return definition;
    throw new InvalidMessageError(`no actor type '${type}' is known to this system`, [{ path: ['type'], message: `unknown actor type '${type}'`, code: 'unknown_actor_type' }]);
  }
}
