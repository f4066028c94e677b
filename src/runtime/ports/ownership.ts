/**
 * The ownership port: what a system needs to run actors whose entities are
 * owned across processes (`steward/cluster` implements it with leases in
 * PostgreSQL). Before an actor activates the system claims its entity and
 * gets the fence its writes carry; the store refuses a write under a fence
 * that no longer stands, so a stale owner cannot overwrite its successor.
 */

/**
 * The lease a write is made under: entity, holder and its fencing token
 * (only ever grows for one entity).
 *
 * @example
 * ```ts
 * await persistence.commit(batch, { fence: { type: 'cook', key: 'c-1', node: 'node-a', token: 7 } });
 * ```
 */
export interface Fence {
  readonly type: string;
  readonly key: string;
  readonly node: string;
  readonly token: number;
}

/**
 * Options of one commit through the state port.
 *
 * @example
 * ```ts
 * declare const fence: Fence; // the lease this node holds on the actor
 * const options: CommitOptions = { fence };
 * ```
 */
export interface CommitOptions {
  /** Refuse the whole batch (`ERR_FENCED`) unless this lease still stands at its token. */
  readonly fence?: Fence;
}

/**
 * What the system lets its ownership port do to it (handed over in `attach`).
 *
 * @example
 * ```ts
 * function onLeaseLost(control: OwnershipControl, lease: { type: string; key: string }): void {
 *   void control.deactivate(lease.type, lease.key, 'ERR_LEASE_EXPIRED');
 * }
 * ```
 */
export interface OwnershipControl {
  /**
   * Takes the live actor `(type, key)` out of service (its lease is gone);
   * the next message activates it again, wherever it is owned then. With
   * `token`, only an actor activated under that fencing token.
   */
  deactivate(type: string, key: string, code: string, token?: number): Promise<void>;
  /**
   * Hands a message to the actor `(type, key)` of this system, activating it
   * here (never routed elsewhere again): the port calls it once it holds the
   * entity. `type` is an actor type the system knows (one it made a ref to,
   * listed in its `actors`, or its reminder service); the payload is checked
   * against its schema. A tell resolves once queued; an ask with the reply.
   */
  deliver(type: string, key: string, message: string, payload: unknown, mode: 'tell' | 'ask', timeoutMs: number): Promise<unknown>;
  /** Whether `type` is an actor type {@link deliver} can reach. */
  knows(type: string): boolean;
  /**
   * Throws what {@link deliver} would refuse the message with as bad input
   * (`ERR_INVALID_MESSAGE`: unknown actor or message type, or a payload that
   * does not match), so that the port refuses it before it takes a lease.
   */
  check(type: string, message: string, payload: unknown): void;
}

/**
 * A message the system hands to {@link OwnershipPort.forward}: its target,
 * its (already validated) payload and, for an ask, where the answer goes.
 *
 * @example
 * ```ts
 * const message: RoutedMessage = { type: 'cook', key: 'c-1', message: 'poke', payload: {}, reply: undefined, undelivered: () => console.warn('poke lost') };
 * ```
 */
export interface RoutedMessage {
  readonly type: string;
  readonly key: string;
  readonly message: string;
  readonly payload: unknown;
  /** The asker's side, absent for a tell; settle it exactly once. */
  readonly reply: RoutedReply | undefined;
  /** A tell no owner took within its bound: reported as a dead letter (reason `unreachable`). */
  undelivered(): void;
}

/**
 * The asker's side of a routed ask.
 *
 * @example
 * ```ts
 * function answer(reply: RoutedReply, value: unknown): void {
 *   if (!reply.settled) reply.resolve(value);
 * }
 * ```
 */
export interface RoutedReply {
  /** True once the ask was answered, timed out or aborted: a forward still under way may give up. */
  readonly settled: boolean;
  /** Set once the message may have reached a handler: a timeout after that says `handled: 'unknown'`. */
  taken: boolean;
  /** Milliseconds left before the ask times out. */
  remainingMs(): number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Claims and gives up entities for the system's actors.
 *
 * @example
 * ```ts
 * declare const clusterOwnership: LeaseOwnership; // steward/cluster makes one
 * new ActorSystem({ persistence, ownership: clusterOwnership });
 * ```
 */
export interface OwnershipPort {
  /** Before `(type, key)` activates: the fence its writes carry. Rejects if this process may not own it now; the actor is then not activated. */
  claim(type: string, key: string): Promise<Fence>;
  /** The actor activated under `fence` has stopped (passivation, stop, shutdown): its entity is free for another owner. */
  release(fence: Fence): void;
  /** Called once by the system that uses this port. */
  attach(control: OwnershipControl): void;
  /**
   * Optional: whether this process may still act under `fence` by its own
   * clock. Asked before every turn of the actor that holds it; false
   * deactivates the actor without running the turn, and the message goes
   * where the entity is owned now (with {@link forward}; else it is a dead
   * letter). Without it, only the port's own {@link OwnershipControl.deactivate}
   * ends an actor's hold.
   */
  stands?(fence: Fence): boolean;
  /**
   * Optional: messages find their owner. The system offers it every message
   * for an entity with no live actor here; the port takes it (returns true)
   * unless this process holds the entity now, and delivers it wherever the
   * entity is owned, through {@link OwnershipControl.deliver} when that is
   * here. Without it, such a message activates the actor here, and a refused
   * claim turns it into a dead letter.
   */
  forward?(message: RoutedMessage): boolean;
}
