/**
 * The PostgreSQL store's tables and their versioned migrations. The applied
 * versions live in a table of their own (`steward_migrations`), so every node
 * opening a schema agrees on what it holds; a schema newer than this code is
 * refused, never downgraded, exactly as a newer lowdb directory is.
 *
 * Layout (one table for every collection, so a batch across collections is
 * one statement and a query is one index range):
 * - `steward_records (collection, key, revision, value, updated_at)`, primary
 *   key `(collection, key)`, both `COLLATE "C"` so key order is byte order and
 *   a prefix query walks the primary key index. `value` is `json`, not
 *   `jsonb`: a record reads back exactly as written (key order, `\u0000` in
 *   strings), as in the embedded stores.
 * - `steward_commits (id = 1, sequence)`: one row. Every commit locks it
 *   first, which orders commits from every node one after another (the
 *   embedded stores' single writer, across processes) and gives the commit
 *   sequence without gaps: a failed commit rolls its increment back.
 * - `steward_leases (actor_type, actor_key, node_id, token, expires_at)`:
 *   which node owns an entity until when (PostgreSQL's clock), and the
 *   fencing token a fenced commit is checked against (`steward/cluster`).
 * - `steward_nodes (node_id, address, started_at, expires_at)`: the live
 *   nodes of a cluster and where they take forwarded messages; a node's row
 *   is live while its heartbeat keeps `expires_at` ahead of `now()`.
 * @internal
 */
import type { PoolClient } from 'pg';
import { MigrationFailedError, SchemaTooNewError } from './errors.js';

/** One step of the store's own schema, applied once inside the migrating transaction. @internal */
export interface PgSchemaMigration {
  readonly version: number;
  readonly name: string;
  /** DDL with `{schema}` standing for the quoted schema name. */
  readonly sql: string;
}

/** The store's schema history; append, never edit a released step. @internal */
export const PG_SCHEMA_MIGRATIONS: readonly PgSchemaMigration[] = [
  {
    version: 1,
    name: 'records and the commit sequence',
    sql: `
      CREATE TABLE {schema}.steward_records (
        collection text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        revision bigint NOT NULL CHECK (revision > 0),
        value json NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (collection, key)
      );
      CREATE TABLE {schema}.steward_commits (
        id int PRIMARY KEY CHECK (id = 1),
        sequence bigint NOT NULL
      );
      INSERT INTO {schema}.steward_commits (id, sequence) VALUES (1, 0);`,
  },
  {
    version: 2,
    name: 'entity leases with fencing tokens',
    // A released lease keeps its row (node_id NULL), so its token keeps growing and is never reset.
    sql: `
      CREATE TABLE {schema}.steward_leases (
        actor_type text COLLATE "C" NOT NULL,
        actor_key text COLLATE "C" NOT NULL,
        node_id text,
        token bigint NOT NULL CHECK (token > 0),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (actor_type, actor_key)
      );
      CREATE INDEX steward_leases_by_node ON {schema}.steward_leases (node_id) WHERE node_id IS NOT NULL;`,
  },
  {
    version: 3,
    name: 'cluster nodes and their addresses',
    sql: `
      CREATE TABLE {schema}.steward_nodes (
        node_id text COLLATE "C" PRIMARY KEY,
        address text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );`,
  },
];

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema name, checked and quoted for SQL; throws a clear error otherwise. @internal */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new MigrationFailedError(`PostgreSQL schema name ${JSON.stringify(schema)} is not 1-63 characters of a-z 0-9 _ starting with a letter or _.`);
  }
  return `"${schema}"`;
}

/**
 * Creates `schema` if needed and brings it to the newest version in
 * `migrations`, in one transaction under an advisory lock (two nodes starting
 * at once migrate once). Returns how many steps ran. Throws
 * `ERR_SCHEMA_TOO_NEW` if the schema records a newer version than `migrations`
 * knows, `ERR_MIGRATION_FAILED` if a step fails (nothing is kept).
 * @internal
 */
export async function migrateSchema(client: PoolClient, schema: string, migrations: readonly PgSchemaMigration[] = PG_SCHEMA_MIGRATIONS): Promise<number> {
  const quoted = quoteSchema(schema);
  const target = Math.max(0, ...migrations.map((migration) => migration.version));
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`steward-schema:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.steward_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${quoted}.steward_migrations`);
    const current = rows[0]?.version ?? 0;
    if (current > target) {
      throw new SchemaTooNewError(
        `PostgreSQL schema ${schema} has schema version ${current}, newer than this code's ${target}; upgrade steward instead of opening it with older code.`,
      );
    }
    let applied = 0;
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      try {
        await client.query(migration.sql.replaceAll('{schema}', quoted));
      } catch (error) {
        throw new MigrationFailedError(`Migration of PostgreSQL schema ${schema} to version ${migration.version} (${migration.name}) failed; nothing was kept.`, {
          cause: error,
        });
      }
      await client.query(`INSERT INTO ${quoted}.steward_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied += 1;
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
