/**
 * The cluster's one store as a simulated node reaches it, like a database
 * over a connection: each read and commit is a step the strategy orders,
 * its reply reaches the node only while it is awake, and a fenced commit is
 * checked against the lease table in the same step it lands (one
 * transaction). A commit is first *sent*, a step of the node's own, so a
 * node can freeze between deciding a write and sending it (the pause that
 * fencing exists for).
 */
import type { MemoryLeaseTable } from '../../cluster/memory-lease-table.js';
import type { CommitResult, GroupOutcome, MemoryStore, QueryOptions, Store, StoredRecord, WriteOp } from '../../persistence/index.js';
import type { Fence } from '../ports/index.js';
import type { OwnershipAudit } from './ownership-audit.js';
import type { NodeProcess } from './sim-node.js';
import type { SimulationWorld } from './world.js';

/** Where a node's store view sends its requests. @internal */
export interface NodeStoreParts {
  readonly world: SimulationWorld;
  readonly process: NodeProcess;
  readonly store: MemoryStore;
  readonly table: MemoryLeaseTable;
  readonly audit: OwnershipAudit;
  /** Whether a commit checks its fence (false only for the unfenced fixture that shows what fencing prevents). */
  readonly checkFences: boolean;
}

/** One node's view of the shared store. @internal */
export class NodeStore implements Store {
  constructor(private readonly parts: NodeStoreParts) {}

  get<T = unknown>(collection: string, key: string): Promise<StoredRecord<T> | undefined> {
    return this.#request(`get ${collection}/${key}`, () => this.parts.store.get<T>(collection, key));
  }

  query<T = unknown>(collection: string, options?: QueryOptions): Promise<StoredRecord<T>[]> {
    return this.#request(`query ${collection}`, () => this.parts.store.query<T>(collection, options));
  }

  async commit(batch: readonly WriteOp[]): Promise<CommitResult> {
    const [outcome] = await this.commitGroup([batch]);
    if (!outcome?.ok) throw outcome?.error;
    return outcome.result;
  }

  commitGroup(requests: ReadonlyArray<readonly WriteOp[]>, fences: ReadonlyArray<Fence | undefined> = []): Promise<GroupOutcome[]> {
    const { process } = this.parts;
    return new Promise<GroupOutcome[]>((resolve) => {
      process.step('sends commit', () => void this.#request('commit', () => this.#land(requests, fences)).then(resolve));
    });
  }

  async close(): Promise<void> {}

  /** One request to the database: it runs at its step, whatever the node's state; the reply waits for the node. */
  async #request<T>(what: string, run: () => Promise<T>): Promise<T> {
    const { world, process } = this.parts;
    const value = await world.io(`db ${what} from ${process.id}`, run, { failable: false });
    return process.deliver(value);
  }

  /** The transaction: each request's fence checked, then the request lands, or is refused alone. Runs within one step. */
  async #land(requests: ReadonlyArray<readonly WriteOp[]>, fences: ReadonlyArray<Fence | undefined>): Promise<GroupOutcome[]> {
    const { store, table, audit, checkFences } = this.parts;
    const landing: Array<Promise<GroupOutcome>> = requests.map((ops, index) => {
      const fence = fences[index];
      const refusal = fence && table.check(fence);
      if (refusal && checkFences) {
        audit.fenced++;
        return Promise.resolve({ ok: false, error: refusal });
      }
      // Lands now: the shared store has no gate and no other commit in flight.
      const committed = store.commit(ops);
      return committed.then(
        (result) => {
          if (fence) audit.landed(fence, refusal);
          return { ok: true as const, result };
        },
        (error: unknown) => ({ ok: false as const, error: error as Error }),
      );
    });
    return Promise.all(landing);
  }
}
