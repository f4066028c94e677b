import type { CookCompletion } from './completions.js';
import { slotsInUse } from './cook-state.js';
import type { CookState } from './messages.js';

/**
 * The invariants DESIGN.md fixes for a cook, checked on its state, and, given
 * its completion records (`readCookCompletions`), on the two together: read
 * both from the store, where they are written in one commit, since a live
 * state runs ahead of its records until its next save. Returns one message
 * per broken invariant (empty when all hold). The simulator, the tests and
 * the demo all check these.
 *
 * @example
 * ```ts
 * const key = cookKey('autumn', 'ann');
 * const broken = cookInvariantViolations(world.peek(cook));
 * const record = await persistence.get<CookState>(COOKS, key);
 * const durable = cookInvariantViolations(record?.value, await readCookCompletions(persistence, key));
 * if (broken.length > 0) throw new Error(broken.join('; '));
 * ```
 */
export function cookInvariantViolations(state: CookState | undefined, completions?: readonly CookCompletion[]): string[] {
  if (!state) return [];
  const broken: string[] = [];
  const slots = slotsInUse(state);
  if (slots > state.maxConcurrent) broken.push(`pending + running = ${slots} > maxConcurrent ${state.maxConcurrent}`);
  if (state.generatedCount > state.total) broken.push(`generatedCount ${state.generatedCount} > total ${state.total}`);
  // A cook whose supply was lowered below what it had issued completes early (completionNote says so): its total is what it counted.
  const early = state.completionNote !== null;
  if (!early && state.nextIndex > state.total) broken.push(`nextIndex ${state.nextIndex} > total ${state.total}`);
  const live = [...Object.values(state.pending), ...Object.values(state.running)].map((job) => job.pieceIndex);
  const waiting = state.retries.map((retry) => retry.pieceIndex);
  const counted = (completions ?? []).filter((completion) => completion.outcome === 'counted').map((completion) => completion.pieceIndex);
  // Each record is one job id, so a job id counted twice would leave the count above its records.
  if (completions && state.generatedCount !== counted.length) broken.push(`generatedCount ${state.generatedCount} != ${counted.length} counted completions`);
  const all = [...live, ...waiting, ...counted];
  if (new Set(all).size !== all.length) broken.push(`a piece index is issued more than once: ${all.sort((a, b) => a - b).join(',')}`);
  const outOfRange = all.filter((index) => (!early && index >= state.total) || index >= state.nextIndex);
  if (outOfRange.length > 0) broken.push(`piece indices beyond what was issued: ${outOfRange.join(',')}`);
  if (state.status !== 'idle' && state.startedBy !== state.userId) broken.push(`cook of ${state.userId} was started by ${state.startedBy}`);
  return broken;
}
