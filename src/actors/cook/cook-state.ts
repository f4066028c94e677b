/**
 * Pure steps on a cook's state: what the actor does inside one turn, with no
 * I/O. Keeping them pure keeps the actor's handlers short and the invariants
 * checkable anywhere (tests, simulator, demo).
 */
import type { CookJobCompletion } from './completions.js';
import { cookJobId, parseCookJobId } from './keys.js';
import type { CookSnapshot, CookState, PieceJob } from './messages.js';

/** A fresh, never-started cook. */
export function initialCookState(collectionId: string, userId: string): CookState {
  return {
    collectionId,
    userId,
    status: 'idle',
    startedBy: null,
    total: 0,
    maxConcurrent: 3,
    nextIndex: 0,
    generatedCount: 0,
    pending: {},
    running: {},
    retries: [],
    failureReason: null,
    completionNote: null,
    stats: { duplicatesAbsorbed: 0, submitRetries: 0, jobFailures: 0, completionsBySource: { sync: 0, webhook: 0, poller: 0 } },
  };
}

/** Jobs holding a slot: pending (submit in flight) and running. */
export function slotsInUse(state: CookState): number {
  return Object.keys(state.pending).length + Object.keys(state.running).length;
}

/**
 * Issues pieces into free slots: due retries first, then new indices in
 * order. Returns the jobs to submit; they are already `pending` in `state`.
 */
export function issuePieces(state: CookState, now: number): { jobId: string; job: PieceJob }[] {
  const issued: { jobId: string; job: PieceJob }[] = [];
  while (state.status === 'running' && slotsInUse(state) < state.maxConcurrent) {
    const dueRetry = state.retries.findIndex((retry) => retry.notBefore <= now);
    if (dueRetry >= 0) {
      const [retry] = state.retries.splice(dueRetry, 1);
      if (!retry) break;
      const job = { pieceIndex: retry.pieceIndex, submitFailures: retry.submitFailures };
      state.pending[retry.jobId] = job;
      issued.push({ jobId: retry.jobId, job });
      continue;
    }
    if (state.nextIndex >= state.total) break;
    const pieceIndex = state.nextIndex++;
    const jobId = cookJobId(state.collectionId, state.userId, pieceIndex, 0);
    const job = { pieceIndex, submitFailures: 0 };
    state.pending[jobId] = job;
    issued.push({ jobId, job });
  }
  return issued;
}

/** Where a reported job stands in the cook's state; `ended` means: look for its completion record. */
export type JobStanding = 'pending' | 'running' | 'retrying' | 'ended';

export function standingOf(state: CookState, jobId: string): JobStanding {
  if (jobId in state.pending) return 'pending';
  if (jobId in state.running) return 'running';
  if (state.retries.some((retry) => retry.jobId === jobId)) return 'retrying';
  return 'ended';
}

/** Removes a job from wherever it holds a slot or waits; returns its piece index. */
export function releaseJob(state: CookState, jobId: string): number | undefined {
  const job = state.pending[jobId] ?? state.running[jobId];
  delete state.pending[jobId];
  delete state.running[jobId];
  const retry = state.retries.findIndex((entry) => entry.jobId === jobId);
  if (retry >= 0) return state.retries.splice(retry, 1)[0]?.pieceIndex;
  return job?.pieceIndex ?? parseCookJobId(jobId)?.pieceIndex;
}

/** Counts one successful piece (its completion record is written with it); completes the cook when the last one lands. */
export function countCompletion(state: CookState): void {
  state.generatedCount++;
  if (state.generatedCount >= state.total) state.status = 'completed';
}

/** Ends the cook as failed, with a reason a person can act on. */
export function failCook(state: CookState, reason: string): void {
  state.status = 'failed';
  state.failureReason = reason;
}

/**
 * Begins a new run of a stopped or failed cook from its persisted progress
 * (its state and its `completions`): each piece below `nextIndex` that is
 * neither counted, in flight nor waiting is issued again, under the next job
 * generation of that piece.
 */
export function beginNewRun(state: CookState, now: number, completions: readonly CookJobCompletion[]): void {
  const held = new Set([...Object.values(state.pending), ...Object.values(state.running), ...state.retries].map((job) => job.pieceIndex));
  const counted = new Set(completions.filter((completion) => completion.outcome === 'counted').map((completion) => completion.pieceIndex));
  const generations = new Map<number, number>();
  for (const completion of completions) {
    const job = completion.outcome === 'abandoned' ? parseCookJobId(completion.jobId) : undefined;
    if (job) generations.set(job.pieceIndex, Math.max(generations.get(job.pieceIndex) ?? -1, job.generation));
  }
  for (let pieceIndex = 0; pieceIndex < state.nextIndex; pieceIndex++) {
    if (held.has(pieceIndex) || counted.has(pieceIndex)) continue;
    // A job that failed at the service is abandoned: its piece gets a new id. One that never got through keeps its id (the service dedupes).
    const generation = (generations.get(pieceIndex) ?? -1) + 1;
    state.retries.push({ jobId: cookJobId(state.collectionId, state.userId, pieceIndex, generation), pieceIndex, submitFailures: 0, notBefore: now });
  }
  state.failureReason = null;
}

/**
 * The collection's supply changed from `previous` to `supply`. A cook never
 * issues a piece index at or past the supply: its total follows the supply
 * down (and up, if it was cooking the whole supply). Lowered below what was
 * already issued, it completes with what it has, and says why in
 * `completionNote`; the jobs in flight are abandoned: returned, for their
 * completion records (late reports of them are absorbed as duplicates).
 */
export function applySupply(state: CookState, previous: number, supply: number): { jobId: string; pieceIndex: number }[] {
  if (state.status === 'idle' || state.status === 'completed') return [];
  if (supply < state.nextIndex) {
    const abandoned = [...Object.entries(state.pending), ...Object.entries(state.running)].map(([jobId, job]) => ({ jobId, pieceIndex: job.pieceIndex }));
    abandoned.push(...state.retries.map(({ jobId, pieceIndex }) => ({ jobId, pieceIndex })));
    Object.assign(state, { pending: {}, running: {}, retries: [], status: 'completed', total: state.generatedCount });
    state.completionNote = `supply lowered to ${supply}, below the ${state.nextIndex} pieces already issued: completed with ${state.generatedCount}`;
    return abandoned;
  }
  state.total = state.total === previous ? supply : Math.min(state.total, supply);
  if (state.generatedCount >= state.total) state.status = 'completed';
  return [];
}

/** Exponential backoff for the n-th failed submission (1-based), capped. */
export function retryDelayMs(baseMs: number, failures: number): number {
  return Math.min(10_000, baseMs * 2 ** Math.max(0, failures - 1));
}

/**
 * The cook at a glance: what `status` answers.
 *
 * @example
 * ```ts
 * declare const state: CookState;
 * const { status, generatedCount, total } = snapshotOf(state);
 * ```
 */
export function snapshotOf(state: CookState): CookSnapshot {
  return {
    collectionId: state.collectionId,
    userId: state.userId,
    status: state.status,
    total: state.total,
    generatedCount: state.generatedCount,
    pending: Object.keys(state.pending).length,
    running: Object.keys(state.running).length,
    waitingRetry: state.retries.length,
    failureReason: state.failureReason,
    completionNote: state.completionNote,
    stats: structuredClone(state.stats),
  };
}
