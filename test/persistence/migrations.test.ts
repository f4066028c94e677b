/**
 * Schema versions: migrations run once, in order, on open; a directory written
 * by a newer schema is refused, never downgraded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LowdbStoreOptions, Migration } from '../../src/persistence/index.js';
import { LowdbStore } from '../../src/persistence/index.js';
import { cleanup, tempDir } from './helpers.js';

const open: LowdbStore[] = [];
async function openStore(options: LowdbStoreOptions): Promise<LowdbStore> {
  const store = await LowdbStore.open(options);
  open.push(store);
  return store;
}
async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((store) => store.close()));
}

afterEach(async () => {
  await closeAll();
  await cleanup();
});

function recordingMigrations(log: string[]): Migration[] {
  // Deliberately listed out of order: the store sorts by version.
  return [
    {
      version: 3,
      name: 'rename title to name',
      up(doc) {
        log.push('v3');
        for (const record of Object.values(doc.collections['books'] ?? {})) {
          const { title, ...rest } = record.value as { title: string };
          record.value = { ...rest, name: title };
        }
      },
    },
    {
      version: 2,
      name: 'add tags',
      up(doc) {
        log.push('v2');
        for (const record of Object.values(doc.collections['books'] ?? {})) record.value = { ...(record.value as object), tags: [] };
      },
    },
  ];
}

describe('schema migrations', () => {
  it('runs missing migrations in order, once, including over journaled writes', async () => {
    const dir = await tempDir();
    const v1 = await openStore({ dir });
    await v1.commit([{ op: 'put', collection: 'books', key: 'b1', value: { title: 'Dune' } }]);
    await closeAll();

    const log: string[] = [];
    const v3 = await openStore({ dir, migrations: recordingMigrations(log) });
    expect(log).toEqual(['v2', 'v3']);
    expect(v3.stats.schemaVersion).toBe(3);
    expect(await v3.get('books', 'b1')).toMatchObject({ revision: 1, value: { name: 'Dune', tags: [] } });
    await v3.commit([{ op: 'put', collection: 'books', key: 'b2', value: { name: 'Emma', tags: ['x'] } }]);
    await closeAll();

    const again = await openStore({ dir, migrations: recordingMigrations(log) });
    expect(log).toEqual(['v2', 'v3']);
    expect(await again.query('books')).toHaveLength(2);
  });

  it('creates a fresh directory directly at the target version without running migrations', async () => {
    const log: string[] = [];
    const store = await openStore({ dir: await tempDir(), migrations: recordingMigrations(log) });
    expect(log).toEqual([]);
    expect(store.stats.schemaVersion).toBe(3);
  });

  it('refuses a directory written by a newer schema, and releases the lock when it does', async () => {
    const dir = await tempDir();
    await openStore({ dir, schemaVersion: 3, migrations: recordingMigrations([]) });
    await closeAll();
    const error: unknown = await LowdbStore.open({ dir, schemaVersion: 2, migrations: recordingMigrations([]).slice(1) }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'SchemaTooNewError', code: 'ERR_SCHEMA_TOO_NEW' });
    expect((error as Error).message.replace(dir, '<dir>')).toMatchInlineSnapshot(
      `"Data directory <dir> has schema version 3, newer than this code's 2; upgrade steward instead of opening it with older code."`,
    );
    const current = await openStore({ dir, schemaVersion: 3, migrations: recordingMigrations([]) });
    expect(current.stats.schemaVersion).toBe(3);
  });

  it('a failing migration writes nothing: the directory stays at its old version with its data', async () => {
    const dir = await tempDir();
    const v1 = await openStore({ dir });
    await v1.commit([{ op: 'put', collection: 'books', key: 'b1', value: { title: 'Dune' } }]);
    await closeAll();
    const broken: Migration = {
      version: 2,
      up() {
        throw new Error('boom');
      },
    };
    await expect(LowdbStore.open({ dir, migrations: [broken] })).rejects.toMatchObject({ code: 'ERR_MIGRATION_FAILED', cause: { message: 'boom' } });
    await expect(LowdbStore.open({ dir, schemaVersion: 3, migrations: [] })).rejects.toMatchObject({ code: 'ERR_MIGRATION_FAILED' });
    const still = await openStore({ dir });
    expect(still.stats.schemaVersion).toBe(1);
    expect(await still.get('books', 'b1')).toMatchObject({ value: { title: 'Dune' } });
  });
});
