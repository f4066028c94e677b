/**
 * The ownership port a cluster node gives its system: leases as in
 * {@link LeaseOwnership}, and every message for an entity this node does not
 * hold handed to the router, so that refs, `ctx.ref` and the reminder
 * service reach the owner node as `ClusterNode.ref` does.
 * @internal
 */
import type { Fence, OwnershipControl, OwnershipPort, RoutedMessage } from '../runtime/ports/index.js';
import type { LeaseOwnership } from './lease-ownership.js';
import type { Router } from './router.js';

/** @internal */
export class RoutedOwnership implements OwnershipPort {
  constructor(
    private readonly ownership: LeaseOwnership,
    private readonly router: Router,
  ) {}

  claim(type: string, key: string): Promise<Fence> {
    return this.ownership.claim(type, key);
  }

  release(fence: Fence): void {
    this.ownership.release(fence);
  }

  attach(control: OwnershipControl): void {
    this.ownership.attach(control);
  }

  stands(fence: Fence): boolean {
    return this.ownership.stands(fence);
  }

  /** Takes the message unless this node holds the entity now (then it is delivered here, under that lease) and no earlier tell to it is still on its way. */
  forward(message: RoutedMessage): boolean {
    if (this.ownership.live(message.type, message.key) && !this.router.pending(message.type, message.key)) return false;
    this.router.accept(message);
    return true;
  }
}
