/**
 * Retention: prune by age or keep the newest N per group, as one normal batch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore, Persistence, planRetention, pruneCollection } from '../../src/persistence/index.js';
import { VirtualClock } from '../../src/runtime/virtual-clock.js';

const actors: Persistence[] = [];
afterEach(async () => {
  await Promise.all(actors.splice(0).map((actor) => actor.close()));
});

interface Report {
  readonly cookieId: string;
}

async function seeded(): Promise<{ clock: VirtualClock; persistence: Persistence; store: MemoryStore }> {
  const clock = new VirtualClock(0);
  const store = new MemoryStore({ clock });
  const persistence = new Persistence(store, { clock });
  actors.push(persistence);
  // Reports r0..r5 one minute apart, alternating between two cookies.
  for (let i = 0; i < 6; i++) {
    await persistence.commit([{ op: 'put', collection: 'reports', key: `r${i}`, value: { cookieId: i % 2 === 0 ? 'a' : 'b' } }]);
    clock.advance(60_000);
  }
  await persistence.commit([{ op: 'put', collection: 'cookies', key: 'a', value: {} }]);
  return { clock, persistence, store };
}

const keys = async (persistence: Persistence): Promise<string[]> => (await persistence.query('reports')).map((record) => record.key);

describe('retention', () => {
  it('prunes records older than maxAgeMs in one commit, leaving other collections alone', async () => {
    const { persistence, store } = await seeded();
    const commitsBefore = store.commitCount;
    // now = 360 000; r0 at 0, r1 at 60 000, r2 at 120 000 are more than 3.5 minutes old.
    expect(await pruneCollection(persistence, 'reports', { maxAgeMs: 210_000 }, new VirtualClock(360_000))).toBe(3);
    expect(await keys(persistence)).toEqual(['r3', 'r4', 'r5']);
    expect(store.commitCount).toBe(commitsBefore + 1);
    expect(await persistence.get('cookies', 'a')).toBeDefined();
  });

  it('keeps only the newest N per group', async () => {
    const { persistence } = await seeded();
    const removed = await pruneCollection<Report>(persistence, 'reports', { keepNewest: { count: 2, groupBy: (record) => record.value.cookieId } });
    expect(removed).toBe(2);
    expect(await keys(persistence)).toEqual(['r2', 'r3', 'r4', 'r5']);
  });

  it('deletes conditionally: a record updated since it was read makes the prune fail and remove nothing', async () => {
    const { clock, persistence } = await seeded();
    const ops = planRetention(await persistence.query('reports'), { maxAgeMs: 0 }, clock.now());
    expect(ops[0]).toEqual({ op: 'delete', collection: 'reports', key: 'r0', expectedRevision: 1 });
    await persistence.commit([{ op: 'put', collection: 'reports', key: 'r0', value: { cookieId: 'a', refreshed: true } }]);
    await expect(persistence.commit(ops)).rejects.toMatchObject({ code: 'ERR_REVISION_CONFLICT' });
    expect(await keys(persistence)).toHaveLength(6);
  });
});
