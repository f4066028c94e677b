/**
 * Planning a group of requests inside the PostgreSQL store's transaction.
 * @internal
 */
import { InvalidWriteError, RecordNotFoundError, RevisionConflictError } from './errors.js';
import type { BatchPlan, RecordChange } from './record-index.js';
import { planBatch } from './record-index.js';
import type { StoredRecord, WriteOp } from './types.js';
import { recordId } from './write-ops.js';

/**
 * Plans each request against `state` (updated as requests succeed), so the
 * group means what the requests would mean one after another. A refusal
 * concerns its request alone; any other error fails the group.
 */
export function planGroup(
  requests: readonly (readonly WriteOp[])[],
  state: Map<string, StoredRecord | undefined>,
  now: number,
  refusals: ReadonlyArray<Error | undefined>,
): { outcomes: Array<BatchPlan | Error>; changes: RecordChange[] } {
  const merged = new Map<string, RecordChange>();
  const outcomes = requests.map((ops, index): BatchPlan | Error => {
    const refusal = refusals[index];
    if (refusal) return refusal;
    try {
      const plan = planBatch(ops, (collection, key) => state.get(recordId(collection, key)), now);
      for (const change of plan.changes) {
        const id = recordId(change.collection, change.key);
        state.set(id, change.record);
        merged.set(id, change);
      }
      return plan;
    } catch (error) {
      if (error instanceof RevisionConflictError || error instanceof RecordNotFoundError || error instanceof InvalidWriteError) return error;
      throw error;
    }
  });
  return { outcomes, changes: [...merged.values()] };
}
