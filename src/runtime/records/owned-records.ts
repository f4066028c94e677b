/**
 * Child records an actor owns: records of a collection listed in its
 * definition's `persistence.owns`, keyed under the actor's key, staged in the
 * turn and written in the same atomic commit as the actor's state. A save no
 * longer rewrites them, so its size does not grow with their number.
 */
import { InvalidConfigError, InvalidKeyError } from '../../errors.js';
import type { PersistencePort } from '../actor-context.js';
import type { TurnWrites } from '../reminders/turn-writes.js';

/**
 * One owned collection as its owner sees it. Writes are staged until the
 * turn's `ctx.save()` (or, without one, until the turn ends, in one commit of
 * their own); reads see the turn's own staged writes first.
 *
 * @example
 * ```ts
 * const jobs = ctx.records<{ status: string; piece: number }>('cook-jobs');
 * jobs.put(jobId, { status: 'completed', piece: 3 });
 * ctx.state.completed += 1;
 * await ctx.save(); // state and job record, one atomic commit
 * const job = await jobs.get(jobId);
 * ```
 */
export interface OwnedRecords<T = unknown> {
  put(childKey: string, value: T): void;
  delete(childKey: string): void;
  /** The record's value (frozen: copy it to change it), or `undefined`. */
  get(childKey: string): Promise<Readonly<T> | undefined>;
  /** This owner's records by child key, a page at a time (`after`: the last child key of the previous page). */
  list(options?: { readonly after?: string; readonly limit?: number }): Promise<Array<{ readonly key: string; readonly value: Readonly<T> }>>;
}

/**
 * The store key of an owned record: the owner's key JSON-encoded (so no owner
 * key is a prefix of another's), then the child key.
 *
 * @example
 * ```ts
 * await persistence.get('cook-jobs', ownedKey('autumn~ann', jobId));
 * ```
 */
export function ownedKey(ownerKey: string, childKey: string): string {
  return `${JSON.stringify(ownerKey)}/${childKey}`;
}

/** @internal */
export function ownedRecords<T>(
  owner: { readonly type: string; readonly key: string; readonly owns: readonly string[] | undefined },
  collection: string,
  writes: () => TurnWrites,
  persistence: () => PersistencePort,
): OwnedRecords<T> {
  if (!owner.owns?.includes(collection)) {
    throw new InvalidConfigError(`actor type '${owner.type}' does not own collection '${collection}': list it in persistence.owns`);
  }
  const keyOf = (childKey: string): string => {
    if (typeof childKey !== 'string' || childKey.length === 0) throw new InvalidKeyError(`child record key in '${collection}' must be a non-empty string`);
    return ownedKey(owner.key, childKey);
  };
  const prefix = ownedKey(owner.key, '');
  return {
    put: (childKey, value) => writes().stage({ op: 'put', collection, key: keyOf(childKey), value }),
    delete: (childKey) => writes().stage({ op: 'delete', collection, key: keyOf(childKey) }),
    async get(childKey) {
      const key = keyOf(childKey);
      const staged = writes().find(collection, key);
      if (staged) return staged.op === 'put' ? (staged.value as T) : undefined;
      return (await persistence().get<T>(collection, key))?.value;
    },
    async list(options = {}) {
      const page = await persistence().query<T>(collection, {
        prefix,
        ...(options.after === undefined ? {} : { after: prefix + options.after }),
        limit: options.limit ?? 100,
      });
      return page.map((record) => ({ key: record.key.slice(prefix.length), value: record.value }));
    },
  };
}
