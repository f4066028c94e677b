/**
 * A commit on PostgreSQL as one transaction: it locks the commit row (so
 * commits from every node apply one after another), checks the requests'
 * fences, reads the rows they touch, plans the group with the same code as
 * the embedded stores (same revisions, same errors, same messages) and writes
 * every change plus the sequence bump in one statement.
 * @internal
 */
import type { Pool, PoolClient } from 'pg';
import type { Clock } from '../runtime/clock.js';
import { CommitOutcomeUnknownError, PersistFailedError } from './errors.js';
import type { Fence, LeaseRow } from './pg-fence.js';
import { checkFence, type FencedError } from './pg-fence.js';
import { planGroup } from './pg-group.js';
import type { PgStatements, RecordRow } from './pg-sql.js';
import { toRecord } from './pg-sql.js';
import type { GroupOutcome, StoredRecord, WriteOp } from './types.js';
import { recordId } from './write-ops.js';

/** How a commit is made to fail on purpose: a refused statement, or the server ending the session. @internal */
export type PgCommitFault = 'statement' | 'session';

/** Run in the transaction after its writes, per fault. */
const FAULTS: Record<PgCommitFault, string> = {
  statement: 'SELECT 1 / 0 AS injected_failure',
  session: 'SELECT pg_terminate_backend(pg_backend_pid())',
};

/** Runs a PgStore's commits, each group of validated requests in one transaction. @internal */
export class PgCommits {
  readonly #pool: Pool;
  readonly #sql: PgStatements;
  readonly #clock: Clock;
  /** Commits still to fail on purpose ({@link PgCommits.failNext}), in order. */
  readonly #failures: PgCommitFault[] = [];

  constructor(pool: Pool, sql: PgStatements, clock: Clock) {
    this.#pool = pool;
    this.#sql = sql;
    this.#clock = clock;
  }

  /** Makes the next commit fail after its writes (rolled back): a refused statement, or the session ended. Calls add up. */
  failNext(kind: PgCommitFault): void {
    this.#failures.push(kind);
  }

  /** Commits `requests` (validated) in one transaction; a request whose fence does not stand, or that conflicts, is refused alone. */
  async run(requests: readonly (readonly WriteOp[])[], fences: ReadonlyArray<Fence | undefined>): Promise<GroupOutcome[]> {
    const writes = requests.reduce((sum, ops) => sum + ops.length, 0);
    const client = await this.#connect(writes);
    let stage: 'planning' | 'writing' | 'committing' = 'planning';
    try {
      const [, , locked] = (await client.query(this.#sql.begin)) as unknown as [unknown, unknown, { rows: Array<{ sequence: string }> }];
      const refusals = await this.#checkFences(client, fences);
      const admitted = requests.map((ops, index) => (refusals[index] ? [] : ops));
      const state = await this.#lockedRows(client, admitted);
      const { outcomes, changes } = planGroup(admitted, state, this.#clock.now(), refusals);
      if (changes.length === 0) {
        await client.query('ROLLBACK');
        client.release();
        const sequence = Number(locked.rows[0]?.sequence ?? 0);
        return outcomes.map((outcome) => (outcome instanceof Error ? { ok: false, error: outcome } : { ok: true, result: { revisions: [], sequence } }));
      }
      stage = 'writing';
      const upserts = changes.filter((change) => change.record !== undefined);
      const deletes = changes.filter((change) => change.record === undefined);
      const written = await client.query<{ sequence: string }>(this.#sql.write, [
        upserts.map((change) => change.collection),
        upserts.map((change) => change.key),
        upserts.map((change) => change.record?.revision),
        upserts.map((change) => JSON.stringify(change.record?.value)),
        upserts.map((change) => change.record?.updatedAt),
        deletes.map((change) => change.collection),
        deletes.map((change) => change.key),
      ]);
      const fault = this.#failures.shift();
      if (fault) await client.query(FAULTS[fault]);
      stage = 'committing';
      await client.query('COMMIT');
      client.release();
      const sequence = Number(written.rows[0]?.sequence);
      return outcomes.map((outcome) => (outcome instanceof Error ? { ok: false, error: outcome } : { ok: true, result: { revisions: outcome.revisions, sequence } }));
    } catch (error) {
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackError: Error) => client.release(rollbackError), // a broken connection is not returned to the pool
      );
      // At COMMIT the transaction may have landed: never retried. Before it, nothing was written.
      if (stage === 'committing') throw new CommitOutcomeUnknownError(`PostgreSQL COMMIT of ${writes} write(s) failed; the outcome is unknown until the records are read again.`, { cause: error });
      throw new PersistFailedError(`PostgreSQL commit of ${writes} write(s) failed while ${stage}; nothing was written.`, { cause: error });
    }
  }

  /** Per request, the refusal of its fence (undefined: unfenced, or the lease stands). */
  async #checkFences(client: PoolClient, fences: ReadonlyArray<Fence | undefined>): Promise<Array<FencedError | undefined>> {
    const named = fences.filter((fence): fence is Fence => fence !== undefined);
    if (named.length === 0) return [];
    const { rows } = await client.query<LeaseRow>(this.#sql.leases, [named.map((fence) => fence.type), named.map((fence) => fence.key)]);
    const byEntity = new Map(rows.map((row) => [recordId(row.actor_type, row.actor_key), row]));
    return fences.map((fence) => fence && checkFence(fence, byEntity.get(recordId(fence.type, fence.key))));
  }

  /** The current rows of every key the requests touch, read after the commit lock (so nothing can change them before COMMIT). */
  async #lockedRows(client: PoolClient, requests: readonly (readonly WriteOp[])[]): Promise<Map<string, StoredRecord | undefined>> {
    const state = new Map<string, StoredRecord | undefined>();
    const collections: string[] = [];
    const keys: string[] = [];
    for (const ops of requests) {
      for (const { collection, key } of ops) {
        const id = recordId(collection, key);
        if (state.has(id)) continue;
        state.set(id, undefined);
        collections.push(collection);
        keys.push(key);
      }
    }
    if (keys.length === 0) return state;
    const { rows } = await client.query<RecordRow>(this.#sql.select, [collections, keys]);
    for (const row of rows) state.set(recordId(row.collection, row.key), toRecord(row));
    return state;
  }

  /**
   * A connection checked out for one commit. The server may end it between
   * two statements (idle-in-transaction timeout while this process was
   * frozen): pg then emits 'error' on the client, which would kill the
   * process unobserved; the commit sees the failure on its next statement.
   * The listener goes when the client goes back to the pool.
   */
  async #connect(writes: number): Promise<PoolClient> {
    try {
      const client = await this.#pool.connect();
      const ignore = (): void => undefined;
      client.on('error', ignore);
      const release = client.release.bind(client);
      client.release = (error?: Error | boolean) => {
        client.off('error', ignore);
        release(error);
      };
      return client;
    } catch (error) {
      throw new PersistFailedError(`Could not reach PostgreSQL to commit ${writes} write(s); nothing was written.`, { cause: error });
    }
  }
}
