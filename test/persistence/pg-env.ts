/**
 * Where PostgreSQL tests connect, whether they run, and a fresh random schema
 * per use, dropped after.
 *
 * - `STEWARD_PG_URL` names the database (default: the development machine's
 *   `postgres://postgres@127.0.0.1:5432/test`).
 * - Unreachable with `STEWARD_PG_URL` unset: the tests are skipped and one
 *   line says so (a laptop without PostgreSQL).
 * - `STEWARD_REQUIRE_PG=1` (set by `.ci/run`), or `STEWARD_PG_URL` set: never
 *   skipped, so an unreachable database fails the run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env['STEWARD_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env['STEWARD_REQUIRE_PG'] === '1' || process.env['STEWARD_PG_URL'] !== undefined;

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when PostgreSQL tests must be skipped; prints the one line saying why. */
export const skipPg: boolean = required ? false : !(await reachable());
if (skipPg) console.warn(`PostgreSQL unreachable at ${PG_URL}: PostgreSQL tests skipped (set STEWARD_PG_URL, or STEWARD_REQUIRE_PG=1 to fail instead).`);

/** A schema name nobody else uses: `steward_t_<16 hex>`. */
export function randomSchema(): string {
  return `steward_t_${randomBytes(8).toString('hex')}`;
}

/** Drops `schema` and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
