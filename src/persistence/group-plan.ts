/**
 * How the persistence actor plans a group of requests that go down as one
 * store commit: read what the group touches, then check each request against
 * the state the earlier ones leave, so a conflict refuses only its own request.
 */
import type { BatchPlan } from './record-index.js';
import { planBatch } from './record-index.js';
import type { Store, StoredRecord, WriteOp } from './types.js';

/**
 * The stored records of a group (`undefined`: absent), by collection, then
 * key: looked up by the ops' own strings. A composite key built per op is a
 * fresh string each time, hashed and compared anew, which cost more than the
 * look-ups themselves.
 */
export class GroupState {
  readonly #collections = new Map<string, Map<string, StoredRecord | undefined>>();

  has(collection: string, key: string): boolean {
    return this.#collections.get(collection)?.has(key) ?? false;
  }

  get(collection: string, key: string): StoredRecord | undefined {
    return this.#collections.get(collection)?.get(key);
  }

  set(collection: string, key: string, record: StoredRecord | undefined): void {
    let records = this.#collections.get(collection);
    if (!records) this.#collections.set(collection, (records = new Map()));
    records.set(key, record);
  }
}

/**
 * The stored records a group touches: read synchronously where the store
 * can (embedded stores), with one round trip per key otherwise.
 */
export function currentState(store: Store, group: readonly { readonly ops: readonly WriteOp[] }[]): GroupState | Promise<GroupState> {
  const state = new GroupState();
  const reads: Array<Promise<void>> = [];
  for (const { ops } of group) {
    for (const { collection, key } of ops) {
      if (state.has(collection, key)) continue;
      if (store.read) state.set(collection, key, store.read(collection, key));
      else {
        state.set(collection, key, undefined);
        reads.push(store.get(collection, key).then((record) => state.set(collection, key, record)));
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
      const plan = planBatch(request.ops, (collection, key) => state.get(collection, key), now);
      for (const change of plan.changes) state.set(change.collection, change.key, change.record);
      planned.push({ request, plan });
    } catch (error) {
      refused.push({ request, error });
    }
  }
  return planned;
}
