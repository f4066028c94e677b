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
  /** Takes the live actor `(type, key)` out of service (its lease is gone); the next message activates it again, wherever it is owned then. */
  deactivate(type: string, key: string, code: string): Promise<void>;
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
}
