import { slotsInUse } from './cook-state.js';
import type { CookState } from './messages.js';

/**
 * The invariants DESIGN.md fixes for a cook, checked on its state. Returns
 * one message per broken invariant (empty when all hold). The simulator, the
 * tests and the demo all check these.
 *
 * @example
 * ```ts
 * const broken = cookInvariantViolations(world.peek(cook));
 * if (broken.length > 0) throw new Error(broken.join('; '));
 * ```
 */
export function cookInvariantViolations(state: CookState | undefined): string[] {
  if (!state) return [];
  const broken: string[] = [];
  const slots = slotsInUse(state);
  if (slots > state.maxConcurrent) broken.push(`pending + running = ${slots} > maxConcurrent ${state.maxConcurrent}`);
  if (state.generatedCount > state.total) broken.push(`generatedCount ${state.generatedCount} > total ${state.total}`);
  // A cook whose supply was lowered below what it had issued completes early (completionNote says so): its total is what it counted.
  const early = state.completionNote !== null;
  if (!early && state.nextIndex > state.total) broken.push(`nextIndex ${state.nextIndex} > total ${state.total}`);
  if (state.generatedCount !== state.completedPieces.length) broken.push(`generatedCount ${state.generatedCount} != ${state.completedPieces.length} completed pieces`);
  const live = [...Object.values(state.pending), ...Object.values(state.running)].map((job) => job.pieceIndex);
  const waiting = state.retries.map((retry) => retry.pieceIndex);
  const all = [...live, ...waiting, ...state.completedPieces];
  if (new Set(all).size !== all.length) broken.push(`a piece index is issued more than once: ${all.sort((a, b) => a - b).join(',')}`);
  const outOfRange = all.filter((index) => (!early && index >= state.total) || index >= state.nextIndex);
  if (outOfRange.length > 0) broken.push(`piece indices beyond what was issued: ${outOfRange.join(',')}`);
  if (new Set(state.completedJobs).size !== state.completedJobs.length) broken.push('a job id was counted more than once');
  if (state.status !== 'idle' && state.startedBy !== state.userId) broken.push(`cook of ${state.userId} was started by ${state.startedBy}`);
  return broken;
}
