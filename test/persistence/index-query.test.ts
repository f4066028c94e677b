/** The index-query contract on every store: memory, lowdb and PostgreSQL. */
import { afterEach } from 'vitest';
import { LowdbStore, MemoryStore, PgStore } from '../../src/persistence/index.js';
import { cleanup, tempDir } from './helpers.js';
import { indexQueryContract } from './index-query-contract.js';
import { dropSchema, PG_URL, randomSchema, skipPg } from './pg-env.js';

const schemas: string[] = [];
afterEach(cleanup);
afterEach(async () => {
  await Promise.all(schemas.splice(0).map(dropSchema));
});

indexQueryContract(
  'MemoryStore',
  async () => {
    const store = new MemoryStore();
    return { store, failNext: () => store.failNextCommit() };
  },
  { durable: false },
);

indexQueryContract('LowdbStore', async () => {
  const dir = await tempDir();
  const store = await LowdbStore.open({ dir });
  return {
    store,
    failNext: () => store.failNextCommit('write'),
    reopen: async () => {
      await store.close();
      return LowdbStore.open({ dir });
    },
  };
});

if (!skipPg) {
  indexQueryContract('PgStore', async () => {
    const schema = randomSchema();
    schemas.push(schema);
    const store = await PgStore.open({ connectionString: PG_URL, schema, poolSize: 4 });
    return {
      store,
      failNext: () => store.failNextCommit(),
      reopen: async () => {
        await store.close();
        return PgStore.open({ connectionString: PG_URL, schema, poolSize: 4 });
      },
    };
  });
}
