import type { PersistencePort } from '../../index.js';
import { COLLECTIONS } from './cook-actor.js';
import { CollectionSchema, type Collection } from './messages.js';

/**
 * Creates a collection (refused with `ERR_REVISION_CONFLICT` if the id is
 * taken); validated with zod first, so bad input writes nothing.
 *
 * @example
 * ```ts
 * await createCollection(persistence, { id: 'autumn', ownerId: 'ann', supply: 12 });
 * ```
 */
export async function createCollection(persistence: Pick<PersistencePort, 'commit'>, collection: Collection): Promise<Collection> {
  const valid = CollectionSchema.parse(collection);
  await persistence.commit([{ op: 'put', collection: COLLECTIONS, key: valid.id, value: valid, expectedRevision: 0 }]);
  return valid;
}
