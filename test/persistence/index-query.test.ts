/** The index-query contract on the embedded stores (memory and lowdb). */
import { afterEach } from 'vitest';
import { LowdbStore, MemoryStore } from '../../src/persistence/index.js';
import { cleanup, tempDir } from './helpers.js';
import { indexQueryContract } from './index-query-contract.js';

afterEach(cleanup);

indexQueryContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, failNext: () => store.failNextCommit() };
});

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
