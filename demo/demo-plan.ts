/**
 * The demo's rounds, kept in the store beside the cooks: which run this is
 * and which cooks belong to it. A new process finds the last round and
 * either resumes its unfinished cooks or, if all ended, starts a fresh round
 * with new collection ids.
 */
import { z } from 'zod';
import { COLLECTIONS, COOKS, CollectionSchema, cookKey, CookStateSchema, type CookState } from '../src/actors/cook/index.js';
import type { PersistencePort } from '../src/runtime/index.js';

/** Where the round record lives. */
const DEMO = 'demo';
const ROUND_KEY = 'round';

const RoundCookSchema = z.object({
  collectionId: z.string(),
  userId: z.string(),
  supply: z.number().int().min(1),
  maxConcurrent: z.number().int().min(1),
});
export type RoundCook = z.infer<typeof RoundCookSchema>;

const RoundSchema = z.object({ run: z.number().int().min(1), cooks: z.array(RoundCookSchema) });
export type Round = z.infer<typeof RoundSchema>;

/** The users of a round: each cooks a collection of their own. */
const USERS: readonly { userId: string; theme: string; supply: number; maxConcurrent: number }[] = [
  { userId: 'ann', theme: 'sketches', supply: 60, maxConcurrent: 3 },
  { userId: 'ben', theme: 'portraits', supply: 90, maxConcurrent: 3 },
  { userId: 'cora', theme: 'maps', supply: 120, maxConcurrent: 4 },
  { userId: 'dev', theme: 'icons', supply: 75, maxConcurrent: 2 },
  { userId: 'eli', theme: 'tiles', supply: 100, maxConcurrent: 3 },
];

/** What this process does with the data directory. */
export type Plan =
  | { readonly kind: 'first'; readonly round: Round }
  | { readonly kind: 'fresh'; readonly round: Round; readonly previousRun: number }
  | { readonly kind: 'resume'; readonly round: Round; readonly unfinished: readonly RoundCook[]; readonly states: ReadonlyMap<string, CookState> };

const isFinished = (state: CookState | undefined) => state !== undefined && ['completed', 'failed', 'stopped'].includes(state.status);

/**
 * Reads the last round: resume it if any of its cooks is unfinished,
 * otherwise create the next round (collections and round record in one
 * atomic commit, so a crash leaves either both or neither).
 */
export async function planRound(persistence: PersistencePort): Promise<Plan> {
  const record = await persistence.get(DEMO, ROUND_KEY);
  if (record) {
    const round = RoundSchema.parse(record.value);
    const states = new Map<string, CookState>();
    for (const cook of round.cooks) {
      const stored = await persistence.get(COOKS, cookKey(cook.collectionId, cook.userId));
      if (stored) states.set(cookKey(cook.collectionId, cook.userId), CookStateSchema.parse(stored.value));
    }
    const unfinished = round.cooks.filter((cook) => !isFinished(states.get(cookKey(cook.collectionId, cook.userId))));
    if (unfinished.length > 0) return { kind: 'resume', round, unfinished, states };
  }
  const previousRun = record ? RoundSchema.parse(record.value).run : 0;
  const round: Round = {
    run: previousRun + 1,
    cooks: USERS.map(({ userId, theme, supply, maxConcurrent }) => ({ collectionId: `${userId}-${theme}-r${previousRun + 1}`, userId, supply, maxConcurrent })),
  };
  await persistence.commit([
    ...round.cooks.map((cook) => ({
      op: 'put' as const,
      collection: COLLECTIONS,
      key: cook.collectionId,
      value: CollectionSchema.parse({ id: cook.collectionId, ownerId: cook.userId, supply: cook.supply }),
      expectedRevision: 0,
    })),
    { op: 'put', collection: DEMO, key: ROUND_KEY, value: round, expectedRevision: record?.revision ?? 0 },
  ]);
  return previousRun === 0 ? { kind: 'first', round } : { kind: 'fresh', round, previousRun };
}
