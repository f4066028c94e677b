/**
 * The persistence actor: group commit, per-request conflicts, failures,
 * transient retries, close.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WriteOp } from '../../src/persistence/index.js';
import { MemoryStore, Persistence, revisionOf } from '../../src/persistence/index.js';
import { VirtualClock } from '../../src/runtime/virtual-clock.js';

const actors: Persistence[] = [];
function persistenceOver(store: MemoryStore, options: ConstructorParameters<typeof Persistence>[1] = {}): Persistence {
  const persistence = new Persistence(store, options);
  actors.push(persistence);
  return persistence;
}

afterEach(async () => {
  await Promise.all(actors.splice(0).map((actor) => actor.close()));
});

const put = (key: string, value: unknown, expectedRevision?: number): WriteOp =>
  expectedRevision === undefined ? { op: 'put', collection: 'c', key, value } : { op: 'put', collection: 'c', key, value, expectedRevision };

/** A memory store whose commits complete only when the test releases them. */
function gatedStore(): { store: MemoryStore; releases: Array<() => void> } {
  const releases: Array<() => void> = [];
  return { store: new MemoryStore({ gate: (release) => releases.push(release) }), releases };
}

async function until(condition: () => boolean): Promise<void> {
  // Yields to pending I/O and microtasks, never to a timer.
  while (!condition()) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('Persistence', () => {
  it('merges 100 requests that arrive while a commit is in flight into one store commit', async () => {
    const { store, releases } = gatedStore();
    const persistence = persistenceOver(store);
    const first = persistence.commit([put('first', 0)]);
    await until(() => releases.length === 1);
    const rest = Array.from({ length: 100 }, (_, i) => persistence.commit([put(`k${i}`, i, 0)]));
    await Promise.resolve();
    releases.shift()?.();
    await first;
    await until(() => releases.length === 1);
    expect(store.commitCount).toBe(2);
    releases.shift()?.();
    const results = await Promise.all(rest);
    expect(store.commitCount).toBe(2);
    expect(persistence.stats).toMatchObject({ requests: 101, storeCommits: 2 });
    expect(new Set(results.map((result) => result.sequence))).toEqual(new Set([2]));
    results.forEach((result, i) => expect(result.revisions).toEqual([{ collection: 'c', key: `k${i}`, revision: 1 }]));
    expect(store.size).toBe(101);
  });

  it('rejects only the conflicting request; the others in the same group commit', async () => {
    const { store, releases } = gatedStore();
    const persistence = persistenceOver(store);
    const seed = persistence.commit([put('a', 'v1')]);
    await until(() => releases.length === 1);
    const ok1 = persistence.commit([put('a', 'v2', 1)]);
    const stale = persistence.commit([put('a', 'stale', 1), put('b', 'never')]); // revision 1 is gone once ok1 lands
    stale.catch(() => undefined); // asserted below; rejects before the test gets there
    const ok2 = persistence.commit([put('a', 'v3', 2), put('b', 'b1', 0)]);
    releases.shift()?.();
    await seed;
    await until(() => releases.length === 1);
    releases.shift()?.();
    await expect(stale).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RevisionConflictError: Revision conflict on c/a (batch[0] put): expected revision 1, found 2; nothing in the batch was written.]`,
    );
    expect(revisionOf(await ok1, 'c', 'a')).toBe(2);
    expect((await ok2).revisions).toEqual([
      { collection: 'c', key: 'a', revision: 3 },
      { collection: 'c', key: 'b', revision: 1 },
    ]);
    expect(store.commitCount).toBe(2);
    expect(await store.get('c', 'a')).toMatchObject({ revision: 3, value: 'v3' });
    expect(persistence.stats.conflicts).toBe(1);
  });

  it('a request committed on its own is checked by the store alone: a conflict or a missing record refuses it, nothing written', async () => {
    const store = new MemoryStore();
    const persistence = persistenceOver(store);
    await persistence.commit([put('a', 'v1')]);
    await expect(persistence.commit([put('a', 'stale', 0), put('b', 'never')])).rejects.toMatchObject({ code: 'ERR_REVISION_CONFLICT' });
    await expect(persistence.commit([{ op: 'patch', collection: 'c', key: 'missing', patch: { x: 1 } }])).rejects.toMatchObject({
      code: 'ERR_RECORD_NOT_FOUND',
    });
    expect(store.read('c', 'a')?.value).toBe('v1');
    expect(store.read('c', 'b')).toBeUndefined();
    expect(persistence.stats).toMatchObject({ requests: 3, conflicts: 2, failedCommits: 0 });
    expect(revisionOf(await persistence.commit([put('a', 'v2', 1)]), 'c', 'a')).toBe(2);
  });

  it('a failed store commit rejects every request in it with ERR_PERSIST_FAILED; the next commit succeeds', async () => {
    const store = new MemoryStore();
    const persistence = persistenceOver(store);
    await persistence.commit([put('a', 'kept')]);
    const cause = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    store.failNextCommit(cause);
    const requests = [persistence.commit([put('a', 'x', 1)]), persistence.commit([put('b', 'y')])];
    for (const request of requests) {
      await expect(request).rejects.toMatchObject({ name: 'PersistFailedError', code: 'ERR_PERSIST_FAILED', cause });
    }
    await expect(requests[0]).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PersistFailedError: Commit of 2 request(s) (2 write(s)) failed after 1 attempt(s); nothing was written.]`,
    );
    expect(await persistence.get('c', 'a')).toMatchObject({ revision: 1, value: 'kept' });
    expect(await persistence.get('c', 'b')).toBeUndefined();
    expect(revisionOf(await persistence.commit([put('a', 'next', 1)]), 'c', 'a')).toBe(2);
  });

  it('retries transient I/O errors with bounded backoff on the injected clock', async () => {
    const clock = new VirtualClock();
    const store = new MemoryStore({ clock });
    const persistence = persistenceOver(store, { clock, retry: { attempts: 3, baseDelayMs: 10 } });
    store.failNextCommit(Object.assign(new Error('busy'), { code: 'EBUSY' }));
    store.failNextCommit(Object.assign(new Error('again'), { code: 'EAGAIN' }));
    const pending = persistence.commit([put('a', 1)]);
    await until(() => clock.pendingTimers === 1);
    expect(clock.nextDueAt()).toBe(10);
    clock.fireNext();
    await until(() => clock.pendingTimers === 1);
    expect(clock.nextDueAt()).toBe(30); // doubled
    clock.fireNext();
    expect(revisionOf(await pending, 'c', 'a')).toBe(1);
    expect(store.commitCount).toBe(3);

    for (let i = 0; i < 3; i++) store.failNextCommit(Object.assign(new Error('busy'), { code: 'EBUSY' }));
    const exhausted = persistence.commit([put('b', 1)]);
    await until(() => clock.pendingTimers === 1);
    clock.fireNext();
    await until(() => clock.pendingTimers === 1);
    clock.fireNext();
    await expect(exhausted).rejects.toMatchObject({ code: 'ERR_PERSIST_FAILED', message: expect.stringContaining('after 3 attempt(s)') });
  });

  it('does not retry an error that is not transient', async () => {
    const store = new MemoryStore();
    const persistence = persistenceOver(store, { retry: { attempts: 5 } });
    store.failNextCommit(Object.assign(new Error('read-only'), { code: 'EROFS' }));
    await expect(persistence.commit([put('a', 1)])).rejects.toMatchObject({ code: 'ERR_PERSIST_FAILED' });
    expect(store.commitCount).toBe(1);
  });

  it('rejects bad input at the boundary without queuing it', async () => {
    const store = new MemoryStore();
    const persistence = persistenceOver(store);
    await expect(persistence.commit([put('k', Symbol('x'))])).rejects.toMatchObject({ code: 'ERR_INVALID_WRITE' });
    await expect(persistence.commit([{ op: 'put', collection: 'bad name', key: 'k', value: 1 }])).rejects.toMatchObject({
      code: 'ERR_INVALID_WRITE',
    });
    expect(store.commitCount).toBe(0);
    expect(persistence.stats.requests).toBe(0);
  });

  it('finishes queued commits on close, then refuses new ones with ERR_STORE_CLOSED', async () => {
    const store = new MemoryStore();
    const persistence = persistenceOver(store);
    const queued = persistence.commit([put('a', 1)]);
    await persistence.close();
    await expect(queued).resolves.toMatchObject({ sequence: 1 });
    await expect(persistence.commit([put('b', 1)])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[StoreClosedError: The persistence actor is closed; no more commits are accepted.]`,
    );
    await expect(store.get('c', 'a')).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
  });

  it('an empty batch is acknowledged without a store write', async () => {
    const store = new MemoryStore();
    const persistence = persistenceOver(store);
    await persistence.commit([put('a', 1)]);
    await expect(persistence.commit([])).resolves.toEqual({ revisions: [], sequence: 1 });
    expect(persistence.stats.storeCommits).toBe(1);
  });
});

describe('MemoryStore fault seams', () => {
  it('crash() loses unacknowledged commits and keeps acknowledged state', async () => {
    const { store, releases } = gatedStore();
    const acked = store.commit([put('a', 'durable')]);
    await until(() => releases.length === 1);
    releases.shift()?.();
    await acked;
    const held = store.commit([put('a', 'in flight', 1)]);
    const queuedBehind = store.commit([put('b', 'queued')]);
    await until(() => releases.length === 1);
    store.crash();
    await expect(held).rejects.toMatchObject({ code: 'ERR_STORE_CRASHED' });
    await expect(queuedBehind).rejects.toMatchObject({ code: 'ERR_STORE_CRASHED' });
    releases.shift()?.(); // a late release after the crash changes nothing
    expect(await store.get('c', 'a')).toMatchObject({ revision: 1, value: 'durable' });
    expect(await store.get('c', 'b')).toBeUndefined();
    const after = store.commit([put('a', 'after restart', 1)]);
    await until(() => releases.length === 1);
    releases.shift()?.();
    await expect(after).resolves.toMatchObject({ sequence: 2 });
  });
});
