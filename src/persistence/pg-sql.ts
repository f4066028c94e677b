/**
 * The statements of the PostgreSQL store, built once per schema, and the
 * mapping of a row back to a frozen {@link StoredRecord}.
 * @internal
 */
import { adoptJson } from './json-value.js';
import type { StoredRecord } from './types.js';

/** A `steward_records` row as node-postgres returns it (bigints arrive as strings). @internal */
export interface RecordRow {
  readonly collection: string;
  readonly key: string;
  readonly revision: string;
  readonly value: unknown;
  readonly updated_at: string;
}

/** The SQL of one schema; `quoted` is the already checked, quoted schema name. @internal */
export function pgStatements(quoted: string, idleTimeoutMs = 5_000) {
  const records = `${quoted}.steward_records`;
  const columns = 'r.collection, r.key, r.revision, r.value, r.updated_at';
  return {
    /**
     * Opens the commit's transaction and takes the commit row lock in one
     * round trip (a simple-protocol query may hold several statements). Once
     * it returns, every earlier commit from any node is visible. A process
     * frozen mid-commit (SIGSTOP, GC pause) would hold that lock, and every
     * other node's commits with it: PostgreSQL ends a transaction left idle
     * longer than `idleTimeoutMs`, releasing it.
     */
    begin: `BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${Math.max(1, Math.floor(idleTimeoutMs))}; SELECT sequence FROM ${quoted}.steward_commits WHERE id = 1 FOR UPDATE`,
    sequence: `SELECT sequence FROM ${quoted}.steward_commits WHERE id = 1`,
    /** The current rows of a set of keys: `$1` collections, `$2` keys, pairwise. */
    select: `SELECT ${columns} FROM ${records} r JOIN unnest($1::text[], $2::text[]) AS w(collection, key) ON r.collection = w.collection AND r.key = w.key`,
    /**
     * Every change of a planned batch and the sequence bump in ONE statement:
     * `$1..$5` the rows to upsert (collections, keys, revisions, JSON texts,
     * updated_at), `$6, $7` the keys to delete. A plan has one change per key,
     * so the two sets never overlap.
     */
    write: `WITH upserted AS (
        INSERT INTO ${records} (collection, key, revision, value, updated_at)
        SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::json[], $5::bigint[])
        ON CONFLICT (collection, key) DO UPDATE SET revision = excluded.revision, value = excluded.value, updated_at = excluded.updated_at
      ), deleted AS (
        DELETE FROM ${records} r USING unnest($6::text[], $7::text[]) AS d(collection, key)
        WHERE r.collection = d.collection AND r.key = d.key
      )
      UPDATE ${quoted}.steward_commits SET sequence = sequence + 1 WHERE id = 1 RETURNING sequence`,
    /**
     * The lease rows fenced requests name (`$1` types, `$2` keys), share-locked
     * so no takeover can commit between this check and the commit's COMMIT.
     */
    leases: `SELECT l.actor_type, l.actor_key, l.node_id, l.token, l.expires_at > now() AS live FROM ${quoted}.steward_leases l
      JOIN unnest($1::text[], $2::text[]) AS f(actor_type, actor_key) ON l.actor_type = f.actor_type AND l.actor_key = f.actor_key
      FOR SHARE OF l`,
    /** `$1` collection, `$2` prefix or null, `$3` cursor or null, `$4` limit or null; key order is byte order (COLLATE "C"). */
    query: `SELECT ${columns} FROM ${records} r
      WHERE r.collection = $1 AND ($2::text IS NULL OR (r.key >= $2 AND starts_with(r.key, $2))) AND ($3::text IS NULL OR r.key > $3)
      ORDER BY r.key LIMIT $4`,
  };
}

/** The SQL of one schema. @internal */
export type PgStatements = ReturnType<typeof pgStatements>;

/** A row as the frozen record every store hands out. @internal */
export function toRecord(row: RecordRow): StoredRecord {
  return Object.freeze({
    collection: row.collection,
    key: row.key,
    revision: Number(row.revision),
    value: adoptJson(row.value),
    updatedAt: Number(row.updated_at),
  });
}
