/**
 * Schema versions and ordered migrations. A store records the schema version
 * it was written with; opening it with newer code runs each missing migration
 * once, in order, then records the new version durably. Opening it with older
 * code is refused: a silent downgrade would drop fields the newer code relies on.
 */
import { MigrationFailedError, SchemaTooNewError } from './errors.js';
import type { StoreDocument } from './snapshot.js';

/**
 * One step from `version - 1` to `version`. `up` changes the lowdb document
 * in place (or returns a replacement).
 *
 * @example
 * ```ts
 * const addTags: Migration = {
 *   version: 2,
 *   name: 'cookies get tags',
 *   up(doc) {
 *     for (const record of Object.values(doc.collections['cookies'] ?? {})) {
 *       record.value = { ...(record.value as object), tags: [] };
 *     }
 *   },
 * };
 * ```
 */
export interface Migration {
  readonly version: number;
  readonly name?: string;
  up(doc: StoreDocument): void | StoreDocument;
}

/**
 * The schema version a store opened with `migrations` ends at when none is
 * given: the highest migration version, or 1.
 * @internal
 */
export function targetVersion(migrations: readonly Migration[], schemaVersion: number | undefined): number {
  return schemaVersion ?? Math.max(1, ...migrations.map((migration) => migration.version));
}

/** Throws `ERR_SCHEMA_TOO_NEW` if `version` is newer than `target`. @internal */
export function assertNotTooNew(version: number, target: number, where: string): void {
  if (version > target) {
    throw new SchemaTooNewError(
      `Data directory ${where} has schema version ${version}, newer than this code's ${target}; upgrade steward instead of opening it with older code.`,
    );
  }
}

/**
 * Brings `doc` from its version to `target`, returning the migrated document
 * and how many migrations ran. Throws `ERR_SCHEMA_TOO_NEW` if the document is
 * newer than `target`, `ERR_MIGRATION_FAILED` if a step is missing or throws.
 * @internal
 */
export function migrate(
  doc: StoreDocument,
  migrations: readonly Migration[],
  target: number,
  where: string,
): { doc: StoreDocument; applied: number } {
  assertNotTooNew(doc.schemaVersion, target, where);
  const byVersion = new Map<number, Migration>();
  for (const migration of migrations) {
    if (!Number.isInteger(migration.version) || migration.version < 2 || byVersion.has(migration.version)) {
      throw new MigrationFailedError(`Migration versions must be distinct integers from 2 up; got ${migration.version} (${migration.name ?? 'unnamed'}).`);
    }
    byVersion.set(migration.version, migration);
  }
  let current = doc;
  let applied = 0;
  for (let version = current.schemaVersion + 1; version <= target; version++) {
    const migration = byVersion.get(version);
    if (!migration) throw new MigrationFailedError(`No migration to schema version ${version} for ${where}.`);
    try {
      current = migration.up(current) ?? current;
    } catch (error) {
      throw new MigrationFailedError(`Migration to schema version ${version} (${migration.name ?? 'unnamed'}) failed for ${where}; nothing was written.`, {
        cause: error,
      });
    }
    current.schemaVersion = version;
    applied += 1;
  }
  return { doc: current, applied };
}
