/**
 * How the persistence actor plans a group of requests that go down as one
 * store commit: read what the group touches, then check each request against
 * the state the earlier ones leave, so a conflict refuses only its own request.
 */
import type { BatchPlan } from './record-index.js';
import { planBatch } from './record-index.js';
import type { Store, StoredRecord, WriteOp } from './types.js';
import { recordId } from './write-ops.js';

/** The stored records of a group, by record id (`undefined`: absent). */
export type GroupState = Map<string, StoredRecord | undefined>;

/**
 * The stored records a group touches: read synchronously where the store
 * can (embedded stores), with one round trip per key otherwise.
 */
export function currentState(store: Store, group: readonly { readonly ops: readonly WriteOp[] }[]): GroupState | Promise<GroupState> {
  const state: GroupState = new Map();
  const reads: Array<Promise<void>> = [];
  for (const { ops } of group) {
    for (const { collection, key } of ops) {
      const id = recordId(collection, key);
      if (state.has(id)) continue;
      if (store.read) state.set(id, store.read(collection, key));
      else {
        state.set(id, undefined);
        reads.push(store.get(collection, key).then((record) => void state.set(id, record)));
      }
    }
  }
  return reads.length === 0 ? state : Promise.all(reads).then(() => state);
}

/** Checks each request against the state the earlier ones leave (updating `state`); the ones that conflict go to `refused`. */
export function planGroup<TRequest extends { readonly ops: readonly WriteOp[] }>(
  group: readonly TRequest[],
  state: GroupState,
  now: number,
  refused: Array<{ request: TRequest; error: unknown }>,
): Array<{ request: TRequest; plan: BatchPlan }> {
  const planned: Array<{ request: TRequest; plan: BatchPlan }> = [];
  for (const request of group) {
    try {
      const plan = planBatch(request.ops, (collection, key) => state.get(recordId(collection, key)), now);
      for (const change of plan.changes) state.set(recordId(change.collection, change.key), change.record);
      planned.push({ request, plan });
    } catch (error) {
      refused.push({ request, error });
    }
  }
  return planned;
}
