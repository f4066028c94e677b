/**
 * The cluster's lease table as a simulated node reaches it: each statement
 * runs at a step of its own against the shared {@link MemoryLeaseTable}
 * (whose clock is the world's), its reply waits for the node to be awake,
 * and every grant is recorded in the audit.
 */
import type { LeaseTable, TableAcquisition } from '../../cluster/lease-table.js';
import type { MemoryLeaseTable } from '../../cluster/memory-lease-table.js';
import type { Fence } from '../ports/index.js';
import type { OwnershipAudit } from './ownership-audit.js';
import type { NodeProcess } from './sim-node.js';
import type { SimulationWorld } from './world.js';

/** One node's connection to the shared lease table. @internal */
export class NodeLeaseTable implements LeaseTable {
  constructor(
    private readonly world: SimulationWorld,
    private readonly process: NodeProcess,
    private readonly table: MemoryLeaseTable,
    private readonly audit: OwnershipAudit,
  ) {}

  acquire(type: string, key: string, node: string, ttlMs: number): Promise<TableAcquisition> {
    return this.#statement(`acquire ${type}/${key}`, () => {
      const before = this.table.row(type, key);
      const outcome = this.table.acquire(type, key, node, ttlMs); // the memory table applies it before it returns
      const after = this.table.row(type, key);
      if (after && after !== before) this.audit.acquired(type, key, node, after.token);
      return outcome;
    });
  }

  renew(node: string, ttlMs: number, leases: readonly Fence[]): Promise<Fence[]> {
    return this.#statement(`renew ${leases.length}`, () => this.table.renew(node, ttlMs, leases));
  }

  release(node: string, leases: readonly Fence[]): Promise<void> {
    return this.#statement(`release ${leases.map((lease) => `${lease.type}/${lease.key}`).join(',')}`, () => this.table.release(node, leases));
  }

  async #statement<T>(what: string, run: () => Promise<T>): Promise<T> {
    const value = await this.world.io(`lease ${what} from ${this.process.id}`, run, { failable: false });
    return this.process.deliver(value);
  }
}
