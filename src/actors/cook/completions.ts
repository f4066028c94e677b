/**
 * A cook's completions: one child record per job that ended, in the
 * `cook-completions` collection the cook owns (`persistence.owns`), keyed by
 * job id and written in the same atomic commit as the cook's state. The
 * record is what makes a job id count once, however many paths report it;
 * the cook's state keeps only counts, so a save's size does not grow with
 * the cook's progress.
 */
import { z } from 'zod';
import { ownedKey, type StateReader } from '../../index.js';

/** The collection of cooks' completions (child records of each cook). */
export const COOK_COMPLETIONS = 'cook-completions';

/**
 * How a job ended: `counted` (its piece was generated, and counted) or
 * `abandoned` (it failed at the service, or its supply was withdrawn: its
 * late reports are duplicates).
 *
 * @example
 * ```ts
 * CookCompletionSchema.parse({ pieceIndex: 3, outcome: 'counted' });
 * ```
 */
export const CookCompletionSchema = z.object({
  pieceIndex: z.number().int().min(0),
  outcome: z.enum(['counted', 'abandoned']),
});
export type CookCompletion = z.infer<typeof CookCompletionSchema>;

/** A completion with the job it belongs to. */
export type CookJobCompletion = CookCompletion & { readonly jobId: string };

const PAGE = 500;

/**
 * Every completion of the cook `key` (`cookKey(collection, user)`), in job id
 * order, read a page at a time: what the cook counted, to check against its
 * state (`cookInvariantViolations(state, completions)`).
 *
 * @example
 * ```ts
 * const completions = await readCookCompletions(persistence, cookKey('autumn', 'ann'));
 * const counted = completions.filter((c) => c.outcome === 'counted').length; // the cook's generatedCount
 * ```
 */
export async function readCookCompletions(reader: Pick<StateReader, 'query'>, key: string): Promise<CookJobCompletion[]> {
  const prefix = ownedKey(key, '');
  const all: CookJobCompletion[] = [];
  for (let after: string | undefined; ; ) {
    const page = await reader.query<CookCompletion>(COOK_COMPLETIONS, { prefix, limit: PAGE, ...(after === undefined ? {} : { after }) });
    for (const record of page) all.push({ jobId: record.key.slice(prefix.length), ...CookCompletionSchema.parse(record.value) });
    if (page.length < PAGE) return all;
    after = page[page.length - 1]?.key;
  }
}
