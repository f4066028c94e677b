/**
 * One behavioural suite, run against every Store: the memory store and the
 * PostgreSQL store must mean exactly what the durable lowdb store means.
 * PostgreSQL cases run in a fresh random schema each, dropped after (see
 * pg-env.ts for when they are skipped).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store, WriteOp } from '../../src/persistence/index.js';
import { LowdbStore, MemoryStore, Persistence, PgStore, revisionOf } from '../../src/persistence/index.js';
import { cleanup, tempDir } from './helpers.js';
import { dropSchema, PG_URL, randomSchema, skipPg } from './pg-env.js';

interface Subject {
  readonly store: Store;
  /** Makes the next commit fail the way this store really fails. */
  failNext(): void;
  /** Removes what the store left outside itself (the PostgreSQL schema). */
  dispose?(): Promise<void>;
}

const subjects: Array<{ name: string; skip: boolean; open(): Promise<Subject> }> = [
  {
    name: 'MemoryStore',
    skip: false,
    async open() {
      const store = new MemoryStore();
      return { store, failNext: () => store.failNextCommit() };
    },
  },
  {
    name: 'LowdbStore',
    skip: false,
    async open() {
      const store = await LowdbStore.open({ dir: await tempDir() });
      return { store, failNext: () => store.failNextCommit('write') };
    },
  },
  {
    name: 'PgStore',
    skip: skipPg,
    async open() {
      const schema = randomSchema();
      const store = await PgStore.open({ connectionString: PG_URL, schema, poolSize: 4 });
      return { store, failNext: () => store.failNextCommit(), dispose: () => dropSchema(schema) };
    },
  },
];

const put = (key: string, value: unknown, expectedRevision?: number): WriteOp =>
  expectedRevision === undefined ? { op: 'put', collection: 'items', key, value } : { op: 'put', collection: 'items', key, value, expectedRevision };

describe.each(subjects)('Store contract: $name', ({ open, skip }) => {
  const opened: Subject[] = [];
  const openSubject = async (): Promise<Subject> => {
    const subject = await open();
    opened.push(subject);
    return subject;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map(async (subject) => {
      await subject.store.close();
      await subject.dispose?.();
    }));
    await cleanup();
  });
  if (skip) it.skip('needs PostgreSQL', () => undefined);
  else defineCases(openSubject);
});

function defineCases(openSubject: () => Promise<Subject>): void {

  it('creates records at revision 1 and bumps the revision on every write', async () => {
    const { store } = await openSubject();
    const first = await store.commit([put('a', { n: 1 }, 0)]);
    expect(revisionOf(first, 'items', 'a')).toBe(1);
    const second = await store.commit([put('a', { n: 2 }, 1)]);
    expect(second.revisions).toEqual([{ collection: 'items', key: 'a', revision: 2 }]);
    expect(second.sequence).toBe(first.sequence + 1);
    const record = await store.get<{ n: number }>('items', 'a');
    expect(record).toMatchObject({ collection: 'items', key: 'a', revision: 2, value: { n: 2 } });
    expect(await store.get('items', 'missing')).toBeUndefined();
  });

  it('deletes to revision 0, and a re-created record starts over', async () => {
    const { store } = await openSubject();
    await store.commit([put('a', 1)]);
    const deleted = await store.commit([{ op: 'delete', collection: 'items', key: 'a', expectedRevision: 1 }]);
    expect(revisionOf(deleted, 'items', 'a')).toBe(0);
    expect(await store.get('items', 'a')).toBeUndefined();
    const recreated = await store.commit([put('a', 2, 0)]);
    expect(revisionOf(recreated, 'items', 'a')).toBe(1);
  });

  it('fails the whole batch on a revision conflict and changes nothing', async () => {
    const { store } = await openSubject();
    const before = await store.commit([put('a', 'original')]);
    const attempt = store.commit([put('b', 'new'), put('a', 'overwrite', 0), { op: 'delete', collection: 'items', key: 'c' }]);
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_REVISION_CONFLICT', name: 'RevisionConflictError' });
    await expect(attempt).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RevisionConflictError: Revision conflict on items/a (batch[1] put): expected revision 0, found 1; nothing in the batch was written.]`,
    );
    expect(await store.get('items', 'b')).toBeUndefined();
    expect((await store.get('items', 'a'))?.value).toBe('original');
    const next = await store.commit([put('c', 1)]);
    expect(next.sequence).toBe(before.sequence + 1);
  });

  it('applies ops in order within a batch, so a put then a patch lands at revision 2', async () => {
    const { store } = await openSubject();
    const result = await store.commit([
      put('a', { x: 1, y: 1 }),
      { op: 'patch', collection: 'items', key: 'a', patch: { y: 2, z: [3] }, expectedRevision: 1 },
    ]);
    expect(result.revisions).toEqual([{ collection: 'items', key: 'a', revision: 2 }]);
    expect((await store.get('items', 'a'))?.value).toEqual({ x: 1, y: 2, z: [3] });
  });

  it('refuses to patch a missing record or a non-object value', async () => {
    const { store } = await openSubject();
    await store.commit([put('scalar', 5)]);
    await expect(store.commit([{ op: 'patch', collection: 'items', key: 'nope', patch: { a: 1 } }])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RecordNotFoundError: Cannot patch items/nope (batch[0]): no such record; nothing in the batch was written.]`,
    );
    await expect(store.commit([{ op: 'patch', collection: 'items', key: 'scalar', patch: { a: 1 } }])).rejects.toMatchObject({
      code: 'ERR_INVALID_WRITE',
    });
    expect((await store.get('items', 'scalar'))?.revision).toBe(1);
  });

  it('queries a collection by prefix, cursor and limit, ordered by key', async () => {
    const { store } = await openSubject();
    await store.commit(['u/3', 'u/1', 'v/1', 'u/2', 'u/10'].map((key) => put(key, key)));
    await store.commit([{ op: 'put', collection: 'other', key: 'u/0', value: 0 }]);
    const keys = async (options?: Parameters<Store['query']>[1]): Promise<string[]> =>
      (await store.query('items', options)).map((record) => record.key);
    expect(await keys()).toEqual(['u/1', 'u/10', 'u/2', 'u/3', 'v/1']);
    expect(await keys({ prefix: 'u/' })).toEqual(['u/1', 'u/10', 'u/2', 'u/3']);
    expect(await keys({ prefix: 'u/', after: 'u/10', limit: 1 })).toEqual(['u/2']);
    expect(await store.query('nothing')).toEqual([]);
  });

  it('rejects bad input with ERR_INVALID_WRITE and changes nothing', async () => {
    const { store } = await openSubject();
    const initial = await store.commit([put('a', 1)]);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const bad: Array<readonly WriteOp[]> = [
      [{ op: 'put', collection: '', key: 'k', value: 1 }],
      [put('k', () => 1)],
      [put('k', { n: Number.NaN })],
      [put('k', { when: new Date(0) })],
      [put('k', cyclic)],
      [put('k', { missing: undefined })],
      [put('k', 1n)],
      [{ op: 'put', collection: 'items', key: '', value: 1 }],
      [{ op: 'put', collection: 'items', key: 'k', value: 1, expectedRevision: -1 }],
      [{ op: 'upsert', collection: 'items', key: 'k', value: 1 } as unknown as WriteOp],
      [{ op: 'put', collection: 'items', key: 'k' } as unknown as WriteOp],
      [{ op: 'put', collection: 'items', key: 'k', value: 1, expectRevision: 1 } as unknown as WriteOp],
    ];
    for (const batch of bad) {
      await expect(store.commit([put('side-effect', 1), ...batch])).rejects.toMatchObject({ code: 'ERR_INVALID_WRITE', name: 'InvalidWriteError' });
    }
    await expect(store.commit([{ op: 'put', collection: '', key: 'k', value: 1 }])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InvalidWriteError: Invalid write at batch[0].collection: collection names are 1-200 characters of A-Z a-z 0-9 _ . : -.]`,
    );
    await expect(store.commit([put('k', { nested: [1, () => 1] })])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InvalidWriteError: Invalid write: batch[0] (items/k).value.nested[1] is not storable: a function is not a JSON value.]`,
    );
    await expect(store.commit([put('k', { when: new Date(0) })])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InvalidWriteError: Invalid write: batch[0] (items/k).value.when is not storable: a Date instance is not a plain JSON object.]`,
    );
    expect(await store.get('items', 'side-effect')).toBeUndefined();
    expect(await store.query('items')).toHaveLength(1);
    const next = await store.commit([put('b', 1)]);
    expect(next.sequence).toBe(initial.sequence + 1);
  });

  it('stores a frozen copy: neither the input nor the output can be mutated into the store', async () => {
    const { store } = await openSubject();
    const value = { list: [1, 2], __proto__key: 'kept' };
    await store.commit([put('a', value)]);
    value.list.push(3);
    const record = await store.get<{ list: number[] }>('items', 'a');
    expect(record?.value.list).toEqual([1, 2]);
    expect(() => record?.value.list.push(4)).toThrow(TypeError);
    expect(Object.isFrozen(record)).toBe(true);
  });

  it('a failed commit rejects, leaves the store unchanged, and the next commit succeeds', async () => {
    const subject = await openSubject();
    const { store } = subject;
    const before = await store.commit([put('a', 'before')]);
    subject.failNext();
    await expect(store.commit([put('a', 'lost', 1), put('b', 'lost')])).rejects.toMatchObject({ code: 'ERR_PERSIST_FAILED' });
    expect((await store.get('items', 'a'))?.value).toBe('before');
    expect(await store.get('items', 'b')).toBeUndefined();
    const after = await store.commit([put('a', 'after', 1)]);
    expect(after.sequence).toBe(before.sequence + 1);
    expect(await store.get('items', 'a')).toMatchObject({ revision: 2, value: 'after' });
  });

  it('refuses work after close with ERR_STORE_CLOSED', async () => {
    const { store } = await openSubject();
    await store.close();
    await expect(store.commit([put('a', 1)])).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
    await expect(store.get('items', 'a')).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
  });

  it('through the persistence actor: concurrent requests are grouped and each gets its own revisions', async () => {
    const { store } = await openSubject();
    const persistence = new Persistence(store, { closeStore: false });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => persistence.commit([put(`k${i % 10}`, i)])));
    expect(persistence.stats.storeCommits).toBe(1);
    const finalRevisions = new Map<string, number>();
    for (const result of results) for (const entry of result.revisions) finalRevisions.set(entry.key, Math.max(finalRevisions.get(entry.key) ?? 0, entry.revision));
    for (let i = 0; i < 10; i++) {
      const record = await store.get('items', `k${i}`);
      expect(record).toMatchObject({ revision: 5, value: 40 + i });
      expect(finalRevisions.get(`k${i}`)).toBe(5);
    }
    await persistence.close();
  });

  it('through the persistence actor: a conflicting request in a group is refused alone', async () => {
    const { store } = await openSubject();
    await store.commit([put('a', 'v1')]);
    const persistence = new Persistence(store, { closeStore: false });
    const [first, stale, missing, last] = await Promise.allSettled([
      persistence.commit([put('a', 'v2', 1)]),
      persistence.commit([put('a', 'stale', 1), put('b', 'never')]),
      persistence.commit([{ op: 'patch', collection: 'items', key: 'none', patch: { x: 1 } }]),
      persistence.commit([put('a', 'v3', 2), put('c', 'c1', 0)]),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { revisions: [{ key: 'a', revision: 2 }] } });
    expect(stale).toMatchObject({ status: 'rejected', reason: { code: 'ERR_REVISION_CONFLICT' } });
    expect(missing).toMatchObject({ status: 'rejected', reason: { code: 'ERR_RECORD_NOT_FOUND' } });
    expect(last).toMatchObject({ status: 'fulfilled', value: { revisions: [{ key: 'a', revision: 3 }, { key: 'c', revision: 1 }] } });
    expect(persistence.stats).toMatchObject({ requests: 4, storeCommits: 1, conflicts: 2 });
    expect(await store.get('items', 'b')).toBeUndefined();
    expect((await store.get('items', 'a'))?.value).toBe('v3');
    await persistence.close();
  });
}
