/**
 * Fenced commits: a write made on behalf of a lease holder names its lease
 * token, and the PostgreSQL store checks it against the lease row inside the
 * commit's own transaction. A holder frozen past its lease (GC pause,
 * SIGSTOP, partition) wakes up with a token its successor has outgrown, and
 * every write it tries is refused, whatever it believes.
 */
import { errorClass } from '../errors.js';

import type { Fence } from '../runtime/ports/index.js';

export type { Fence } from '../runtime/ports/index.js';

/**
 * Options of a PostgreSQL store commit.
 *
 * @example
 * ```ts
 * declare const leases: Leases;
 * const outcome = await leases.acquire('cook', 'c-1');
 * if (outcome.held) {
 *   const options: PgCommitOptions = { fence: outcome.lease };
 * }
 * ```
 */
export interface PgCommitOptions {
  /** Refuse the whole batch (`ERR_FENCED`) unless this lease is still held, live, at this token. */
  readonly fence?: Fence;
}

/**
 * The lease a write was made under is no longer held at its token (taken
 * over, released or expired); nothing in the batch was written.
 *
 * @example
 * ```ts
 * declare const store: PgStore;
 * declare const fence: Fence; // the lease this node wrote under
 * declare function deactivate(type: string, key: string): void;
 * await store.commit(batch, { fence }).catch((error) => {
 *   if (error instanceof FencedError) deactivate(fence.type, fence.key); // another node owns it now
 *   else throw error;
 * });
 * ```
 */
export class FencedError extends errorClass('FencedError', 'ERR_FENCED') {}

/** The lease row a fence is checked against, as read under `FOR SHARE`. @internal */
export interface LeaseRow {
  readonly actor_type: string;
  readonly actor_key: string;
  readonly node_id: string | null;
  readonly token: string;
  readonly live: boolean;
}

/** The refusal of a write under `fence`, or undefined if the lease still stands. @internal */
export function checkFence(fence: Fence, row: LeaseRow | undefined): FencedError | undefined {
  if (row && Number(row.token) === fence.token && row.node_id === fence.node && row.live) return undefined;
  const now = row
    ? `the lease is at token ${row.token}, ${row.node_id === null ? 'released' : `held by ${row.node_id}`}${row.live ? '' : ', expired'}`
    : 'no lease exists';
  return new FencedError(
    `Write fenced: ${fence.node} wrote ${fence.type}/${fence.key} under token ${fence.token}, but ${now}; nothing in the batch was written.`,
  );
}
