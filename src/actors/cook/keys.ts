/** Cook keys and job ids carry their owner, so a webhook or a poller can route a report with nothing but the job id. */

/** The cook actor's key for `(collectionId, userId)`. */
export function cookKey(collectionId: string, userId: string): string {
  return `${collectionId}~${userId}`;
}

/** `collection~user~piece~generation`: unique per piece and per job generation, the same across submit retries (the service dedupes on it). */
export function cookJobId(collectionId: string, userId: string, pieceIndex: number, generation: number): string {
  return `${collectionId}~${userId}~${pieceIndex}~${generation}`;
}

/** The parts of a cook job id; `undefined` if it is not one. */
export function parseCookJobId(jobId: string): { cookKey: string; collectionId: string; userId: string; pieceIndex: number; generation: number } | undefined {
  const parts = jobId.split('~');
  if (parts.length !== 4) return undefined;
  const [collectionId, userId, piece, generation] = parts as [string, string, string, string];
  const pieceIndex = Number(piece);
  const gen = Number(generation);
  if (!collectionId || !userId || !Number.isInteger(pieceIndex) || !Number.isInteger(gen)) return undefined;
  return { cookKey: cookKey(collectionId, userId), collectionId, userId, pieceIndex, generation: gen };
}

/** The two halves of a cook key. */
export function parseCookKey(key: string): { collectionId: string; userId: string } {
  const [collectionId = '', userId = ''] = key.split('~');
  return { collectionId, userId };
}
