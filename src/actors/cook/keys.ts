/** Cook keys and job ids carry their owner, so a webhook or a poller can route a report with nothing but the job id. */

/** The cook actor's key for `(collectionId, userId)`. */
export function cookKey(collectionId: string, userId: string): string {
  return `${collectionId}~${userId}`;
}

/** `collection~user~piece~generation`: unique per piece and per job generation, the same across submit retries (the service dedupes on it). */
export function cookJobId(collectionId: string, userId: string, pieceIndex: number, generation: number): string {
  return `${collectionId}~${userId}~${pieceIndex}~${generation}`;
}

/**
 * A job id as the cook makes them: `collection~user~piece~generation`. The
 * one definition of it: the message schemas and {@link parseCookJobId} both use it.
 */
export const COOK_JOB_ID = /^([A-Za-z0-9_.-]{1,64})~([A-Za-z0-9_.-]{1,64})~(\d{1,6})~(\d{1,3})$/;

/**
 * The parts of a cook job id; `undefined` if it is not one (exactly the ids `CookJobIdSchema` refuses).
 *
 * @example
 * ```ts
 * parseCookJobId('autumn~ann~3~0')?.cookKey; // 'autumn~ann'
 * parseCookJobId('autumn~ann~1234567~0'); // undefined: the piece index is out of range
 * ```
 */
export function parseCookJobId(jobId: string): { cookKey: string; collectionId: string; userId: string; pieceIndex: number; generation: number } | undefined {
  const match = COOK_JOB_ID.exec(jobId);
  if (!match) return undefined;
  const [, collectionId, userId, piece, generation] = match as unknown as [string, string, string, string, string];
  return { cookKey: cookKey(collectionId, userId), collectionId, userId, pieceIndex: Number(piece), generation: Number(generation) };
}

/** Whether an id is meant as a cook job id (it has the `~` separators), valid or not: such ids are ours to refuse. */
export function looksLikeCookJobId(jobId: string): boolean {
  return jobId.includes('~');
}

/** The two halves of a cook key. */
export function parseCookKey(key: string): { collectionId: string; userId: string } {
  const [collectionId = '', userId = ''] = key.split('~');
  return { collectionId, userId };
}
