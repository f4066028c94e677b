/**
 * The test rig's watched persistence port passes a commit's options (its
 * fence) through to the port it wraps: a watcher that dropped them would turn
 * every fenced write of an owned actor into an unfenced one.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore, Persistence } from '../../../src/persistence/index.js';
import { WatchedPersistence } from './helpers-real.js';

describe('WatchedPersistence', () => {
  it('passes the fence of a commit through', async () => {
    const persistence = new WatchedPersistence(new Persistence(new MemoryStore()));
    const fence = { type: 'cook', key: 'c-1', node: 'node-a', token: 1 };
    // The memory store cannot check fences: the fence reaching it is what makes the commit refused.
    await expect(persistence.commit([{ op: 'put', collection: 'x', key: 'k', value: 1 }], { fence })).rejects.toMatchObject({ code: 'ERR_INVALID_WRITE' });
    await expect(persistence.commit([{ op: 'put', collection: 'x', key: 'k', value: 1 }])).resolves.toMatchObject({ revisions: [{ key: 'k', revision: 1 }] });
    await persistence.close();
  });
});
