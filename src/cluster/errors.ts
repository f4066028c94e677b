/**
 * Errors of the ownership layer. Each has a fixed `name` and a literal `code`.
 */
import { errorClass, StewardError } from '../errors.js';

/**
 * This node's own clock says its lease on an entity has run out (send time +
 * ttl − margin passed without a renewal): it must stop writing and
 * acknowledging for it before PostgreSQL could give the entity to another node.
 *
 * @example
 * ```ts
 * const mustDeactivate = (error: unknown) => error instanceof LeaseExpiredError; // stop writing for that entity now
 * ```
 */
export class LeaseExpiredError extends errorClass('LeaseExpiredError', 'ERR_LEASE_EXPIRED') {}

/**
 * Another live node owns the entity: this node may not activate it (its
 * messages go to the owner instead).
 *
 * @example
 * ```ts
 * declare const ownership: LeaseOwnership;
 * await ownership.claim('cook', 'c-1').catch((error: NotOwnerError) => error.code); // 'ERR_NOT_OWNER'
 * ```
 */
export class NotOwnerError extends errorClass('NotOwnerError', 'ERR_NOT_OWNER') {}

/**
 * A message could not be carried to its owner within its bound (owner
 * unreachable and no takeover in time, or the owner's answer lost). Whether
 * an ask forwarded before this error was handled is unknown.
 *
 * @example
 * ```ts
 * declare const node: ClusterNode;
 * await node.ref(Cook, 'c-1').ask('status', {}).catch((error: ForwardFailedError) => error.code); // 'ERR_FORWARD_FAILED'
 * ```
 */
export class ForwardFailedError extends errorClass('ForwardFailedError', 'ERR_FORWARD_FAILED') {}

/**
 * The owner node refused a forwarded message unread: it has a
 * `forwardSecret` and the message was not signed with it (this node has
 * another secret, or none), or the signature fell outside its 5-minute
 * replay window (the two nodes' clocks are that far apart). Nothing was
 * delivered, and the message is not sent again.
 *
 * @example
 * ```ts
 * declare const node: ClusterNode;
 * await node.ref(Cook, 'c-1').ask('status', {}).catch((error: UnauthorizedError) => error.code); // 'ERR_UNAUTHORIZED'
 * ```
 */
export class UnauthorizedError extends errorClass('UnauthorizedError', 'ERR_UNAUTHORIZED') {}

/**
 * The error the owner node answered a forwarded message with, with its
 * `name`, `code` and message as the owner raised it (an instanceof check of
 * the original class does not cross the wire: switch on `code`).
 *
 * @example
 * ```ts
 * declare const node: ClusterNode;
 * await node.ref(Cook, 'c-1').ask('start', { requester: 'bob' }).catch((error: RemoteError) => error.code === 'ERR_FORBIDDEN');
 * ```
 */
export class RemoteError extends StewardError {
  readonly code: string;
  /** The node that raised it. */
  readonly node: string;

  constructor(remote: { readonly name: string; readonly code: string; readonly message: string }, node: string) {
    super(remote.message);
    this.code = remote.code;
    this.node = node;
    Object.defineProperty(this, 'name', { value: remote.name, enumerable: false });
  }
}
