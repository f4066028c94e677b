/**
 * The index-query contract, as a suite any Store can run: call
 * {@link indexQueryContract} with a way to open a fresh store (PgStore's
 * tests can add themselves the same way). Every expectation is checked
 * against a brute-force filter and sort of the same records.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IndexQuery, IndexSpec, Store, StoredRecord, WriteOp } from '../../src/persistence/index.js';

/** A store under test; `failNext` makes its next commit fail the way it really fails. */
export interface IndexSubject {
  readonly store: Store;
  failNext(): void;
  /** Closes the store and opens it again on the same data (omit for stores that forget on close). */
  reopen?(): Promise<Store>;
}

interface Job {
  queue: string;
  status: string;
  runAt: number;
  n: number;
}

const BY_QUEUE: IndexSpec = {
  name: 'by-queue',
  fields: [
    { name: 'queue', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'runAt', type: 'number' },
  ],
};

const QUEUES = ['media', 'mail', 'cook'];
const STATUSES = ['queued', 'running', 'done'];

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function job(random: () => number, n: number): Job {
  return {
    queue: QUEUES[Math.floor(random() * QUEUES.length)] as string,
    status: STATUSES[Math.floor(random() * STATUSES.length)] as string,
    runAt: Math.floor(random() * 50),
    n,
  };
}

const put = (key: string, value: unknown): WriteOp => ({ op: 'put', collection: 'jobs', key, value });

/** What a query must return, computed the slow way. */
function expected(records: Map<string, Job>, query: { eq: [string, string]; gte?: number; lt?: number }): string[] {
  return [...records]
    .filter(([, j]) => j.queue === query.eq[0] && j.status === query.eq[1])
    .filter(([, j]) => (query.gte === undefined || j.runAt >= query.gte) && (query.lt === undefined || j.runAt < query.lt))
    .sort(([ka, a], [kb, b]) => a.runAt - b.runAt || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([key]) => key);
}

async function allPages(store: Store, query: IndexQuery, between?: () => Promise<void>): Promise<StoredRecord<Job>[]> {
  const out: StoredRecord<Job>[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.queryIndex!<Job>('jobs', 'by-queue', cursor === undefined ? query : { ...query, cursor });
    out.push(...page.records);
    if (!page.next) return out;
    cursor = page.next;
    await between?.();
  }
  throw new Error('paging did not end');
}

/** `durable: false` for a store that forgets on close (no reopen case: nothing to rebuild from). */
export function indexQueryContract(name: string, open: () => Promise<IndexSubject>, { durable = true }: { readonly durable?: boolean } = {}): void {
  describe(`Index queries: ${name}`, () => {
    const opened: Store[] = [];
    const subject = async (): Promise<IndexSubject> => {
      const s = await open();
      opened.push(s.store);
      return s;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('returns equality-and-range pages in index order, a limit at a time, resuming at the cursor', async () => {
      const { store } = await subject();
      const random = prng(7);
      const records = new Map<string, Job>();
      for (let i = 0; i < 600; i++) records.set(`j-${Math.floor(random() * 1e9)}`, job(random, i));
      await store.defineIndex!('jobs', BY_QUEUE);
      await store.commit([...records].map(([key, value]) => put(key, value)));
      const query = { eq: ['media', 'queued'] as [string, string], gte: 10, lt: 40 };
      const got = await allPages(store, { ...query, limit: 7 });
      expect(got.map((r) => r.key)).toEqual(expected(records, query));
      expect(got.length).toBeGreaterThan(7);
      const first = await store.queryIndex!<Job>('jobs', 'by-queue', { eq: ['media', 'queued'], gte: 10, lt: 40, limit: 3 });
      expect(first.records.map((r) => r.value)).toEqual(got.slice(0, 3).map((r) => r.value));
      const inclusive = await allPages(store, { eq: ['mail', 'done'], gt: 5, lte: 20, limit: 50 });
      expect(inclusive.map((r) => r.key)).toEqual(expected(records, { eq: ['mail', 'done'], gte: 6, lt: 21 }));
      const prefixOnly = await allPages(store, { eq: ['cook'], limit: 100 });
      expect(prefixOnly.every((r) => r.value.queue === 'cook')).toBe(true);
      expect(prefixOnly.length).toBe([...records.values()].filter((j) => j.queue === 'cook').length);
      const everything = await allPages(store, { limit: 1000 });
      expect(everything.length).toBe(records.size);
    });

    it('moves entries on update, drops them on delete, and leaves out records whose fields are missing or mistyped', async () => {
      const { store } = await subject();
      await store.defineIndex!('jobs', BY_QUEUE);
      await store.commit([put('a', { queue: 'media', status: 'queued', runAt: 5 }), put('b', { queue: 'media', status: 'queued', runAt: 1 })]);
      await store.commit([put('c', { queue: 'media', status: 'queued' }), put('d', { queue: 'media', status: 'queued', runAt: '3' }), put('e', 'text')]);
      const keys = async () => (await store.queryIndex!('jobs', 'by-queue', { eq: ['media', 'queued'] })).records.map((r) => r.key);
      expect(await keys()).toEqual(['b', 'a']);
      await store.commit([{ op: 'patch', collection: 'jobs', key: 'b', patch: { runAt: 9 } }]);
      expect(await keys()).toEqual(['a', 'b']);
      await store.commit([{ op: 'patch', collection: 'jobs', key: 'a', patch: { status: 'running' } }, { op: 'patch', collection: 'jobs', key: 'c', patch: { runAt: 0 } }]);
      expect(await keys()).toEqual(['c', 'b']);
      await store.commit([{ op: 'delete', collection: 'jobs', key: 'b' }]);
      expect(await keys()).toEqual(['c']);
    });

    it('indexes the records a collection already holds when the index is declared, and declaring it again changes nothing', async () => {
      const { store } = await subject();
      await store.commit([put('x', { queue: 'mail', status: 'queued', runAt: 2 }), put('y', { queue: 'mail', status: 'queued', runAt: 1 })]);
      await store.defineIndex!('jobs', BY_QUEUE);
      await store.defineIndex!('jobs', BY_QUEUE);
      const page = await store.queryIndex!('jobs', 'by-queue', { eq: ['mail', 'queued'] });
      expect(page.records.map((r) => r.key)).toEqual(['y', 'x']);
      expect(page.next).toBeUndefined();
    });

    it('a failed commit moves no entry', async () => {
      const s = await subject();
      await s.store.defineIndex!('jobs', BY_QUEUE);
      await s.store.commit([put('a', { queue: 'media', status: 'queued', runAt: 5 })]);
      s.failNext();
      await expect(s.store.commit([put('a', { queue: 'media', status: 'queued', runAt: 50 }), put('z', { queue: 'media', status: 'queued', runAt: 1 })])).rejects.toThrow();
      const page = await s.store.queryIndex!<Job>('jobs', 'by-queue', { eq: ['media', 'queued'] });
      expect(page.records.map((r) => [r.key, r.value.runAt])).toEqual([['a', 5]]);
    });

    it('refuses unknown indexes, mistyped bounds, foreign cursors and a changed declaration with ERR_INVALID_QUERY', async () => {
      const { store } = await subject();
      await store.defineIndex!('jobs', BY_QUEUE);
      const code = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: { code?: string }) => error.code);
      expect(await code(store.queryIndex!('jobs', 'nope', {}))).toBe('ERR_INVALID_QUERY');
      expect(await code(store.queryIndex!('jobs', 'by-queue', { eq: [1] }))).toBe('ERR_INVALID_QUERY');
      expect(await code(store.queryIndex!('jobs', 'by-queue', { eq: ['a', 'b'], gte: 'x' }))).toBe('ERR_INVALID_QUERY');
      expect(await code(store.queryIndex!('jobs', 'by-queue', { cursor: 'not-a-cursor' }))).toBe('ERR_INVALID_QUERY');
      expect(await code(store.queryIndex!('jobs', 'by-queue', { limit: 0 }))).toBe('ERR_INVALID_QUERY');
      expect(await code(store.defineIndex!('jobs', { name: 'by-queue', fields: [{ name: 'queue', type: 'string' }] }))).toBe('ERR_INVALID_QUERY');
      expect(await code(store.defineIndex!('jobs', { name: 'bad name!', fields: [{ name: 'queue', type: 'string' }] }))).toBe('ERR_INVALID_QUERY');
    });

    it('keeps pages consistent while writes go on: every record left alone is seen once, in order', async () => {
      const { store } = await subject();
      await store.defineIndex!('jobs', BY_QUEUE);
      const random = prng(11);
      const stable = new Map<string, Job>();
      for (let i = 0; i < 400; i++) stable.set(`s-${String(i).padStart(4, '0')}`, { queue: 'media', status: 'queued', runAt: Math.floor(random() * 100), n: i });
      await store.commit([...stable].map(([key, value]) => put(key, value)));
      let churn = 0;
      const seen = await allPages(store, { eq: ['media', 'queued'], limit: 25 }, async () => {
        // Between pages: new records land everywhere in the order, and churned ones move and vanish.
        const batch: WriteOp[] = [];
        for (let i = 0; i < 20; i++) batch.push(put(`w-${churn++}`, { queue: 'media', status: 'queued', runAt: Math.floor(random() * 100), n: -1 }));
        batch.push({ op: 'delete', collection: 'jobs', key: `w-${Math.floor(random() * churn)}` });
        await store.commit(batch);
      });
      const stableSeen = seen.filter((r) => r.key.startsWith('s-')).map((r) => r.key);
      expect(stableSeen).toEqual(expected(stable, { eq: ['media', 'queued'] }));
      for (let i = 1; i < seen.length; i++) {
        const [a, b] = [seen[i - 1] as StoredRecord<Job>, seen[i] as StoredRecord<Job>];
        expect(a.value.runAt < b.value.runAt || (a.value.runAt === b.value.runAt && a.key < b.key)).toBe(true);
      }
    });

    if (durable) it('serves the same pages after a reopen (the index is rebuilt from durable records)', async () => {
      const s = await subject();
      if (!s.reopen) throw new Error(`${name} is durable but its subject cannot reopen`);
      await s.store.defineIndex!('jobs', BY_QUEUE);
      const random = prng(3);
      const batch: WriteOp[] = [];
      for (let i = 0; i < 200; i++) batch.push(put(`k-${i}`, job(random, i)));
      await s.store.commit(batch);
      const before = await allPages(s.store, { eq: ['cook'], limit: 9 });
      opened.splice(opened.indexOf(s.store), 1);
      const reopened = await s.reopen();
      opened.push(reopened);
      await reopened.defineIndex!('jobs', BY_QUEUE);
      expect((await allPages(reopened, { eq: ['cook'], limit: 9 })).map((r) => r.key)).toEqual(before.map((r) => r.key));
    });
  });
}
