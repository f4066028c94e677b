import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, ownedKey, VirtualClock } from '../../src/index.js';
import { MemoryStore, Persistence } from '../../src/persistence/index.js';
import { flush } from '../fixtures/flush.js';
import { shutdown } from '../fixtures/shutdown.js';

const Queue = defineActor({
  name: 'queue',
  messages: {
    enqueue: z.object({ id: z.string(), save: z.boolean() }),
    read: z.object({ id: z.string() }),
    list: z.object({ after: z.string().optional(), limit: z.number().optional() }),
    sneak: z.object({}),
  },
  initialState: (_key: string) => ({ size: 0 }),
  persistence: { collection: 'queues', owns: ['jobs'] },
  supervision: { strategy: 'restart', minBackoffMs: 0, jitter: 0 },
  handlers: {
    enqueue: async ({ id, save }, ctx) => {
      const jobs = ctx.records<{ status: string }>('jobs');
      jobs.put(id, { status: 'queued' });
      ctx.state.size += 1;
      const seen = await jobs.get(id); // the turn reads its own staged write
      if (save) await ctx.save();
      return seen;
    },
    read: ({ id }, ctx) => ctx.records('jobs').get(id),
    list: ({ after, limit }, ctx) => ctx.records('jobs').list({ ...(after ? { after } : {}), ...(limit ? { limit } : {}) }),
    sneak: (_p, ctx) => ctx.records('queues'),
  },
});

describe('owned child records', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await shutdown(system);
    system = undefined;
  });

  it('lands in the same commit as the owner state, or not at all, and reads back by key', async () => {
    const clock = new VirtualClock();
    const store = new MemoryStore({ clock });
    system = new ActorSystem({ clock, persistence: new Persistence(store, { closeStore: false }) });
    const queue = system.ref(Queue, 'media');
    const before = store.commitCount;
    expect(await queue.ask('enqueue', { id: 'j1', save: true })).toEqual({ status: 'queued' });
    expect(store.commitCount - before).toBe(1);
    expect(store.read('queues', 'media')?.value).toEqual({ size: 1 });
    expect(store.read('jobs', ownedKey('media', 'j1'))?.value).toEqual({ status: 'queued' });

    store.failNextCommit();
    await expect(queue.ask('enqueue', { id: 'j2', save: true })).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
    await flush();
    clock.advance(10);
    await flush();
    expect(store.read('queues', 'media')?.value).toEqual({ size: 1 });
    expect(store.read('jobs', ownedKey('media', 'j2'))).toBeUndefined();
    expect(await queue.ask('read', { id: 'j1' })).toEqual({ status: 'queued' });
    expect(await queue.ask('read', { id: 'j2' })).toBeUndefined();
  });

  it('a turn that does not save commits its records on its own before replying; pages by child key', async () => {
    const clock = new VirtualClock();
    const store = new MemoryStore({ clock });
    system = new ActorSystem({ clock, persistence: new Persistence(store, { closeStore: false }) });
    const queue = system.ref(Queue, 'q');
    for (const id of ['c', 'a', 'b', 'd']) await queue.ask('enqueue', { id, save: false });
    expect(store.read('queues', 'q')).toBeUndefined(); // the state was never saved
    const first = await queue.ask('list', { limit: 2 });
    expect(first.map((r) => r.key)).toEqual(['a', 'b']);
    expect((await queue.ask('list', { after: 'b' })).map((r) => r.key)).toEqual(['c', 'd']);
    // Another owner whose key starts the same way sees none of them.
    expect(await system.ref(Queue, 'q"').ask('list', {})).toEqual([]);
  });

  it('refuses a collection the actor type does not own with ERR_INVALID_CONFIG', async () => {
    system = new ActorSystem({ persistence: new Persistence(new MemoryStore()) });
    await expect(system.ref(Queue, 'x').ask('sneak', {})).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED', cause: { code: 'ERR_INVALID_CONFIG' } });
  });

  it('refuses to own another actor type\'s state collection (child records carry no revision) with ERR_STATE_WRITE_REFUSED', async () => {
    const Grabber = defineActor({
      name: 'grabber',
      messages: { grab: z.object({}) },
      initialState: (_key: string) => ({}),
      persistence: { collection: 'grabbers', owns: ['queues'] },
      handlers: { grab: (_p, ctx) => void ctx.records('queues').put('q', { size: 99 }) },
    });
    const store = new MemoryStore();
    system = new ActorSystem({ persistence: new Persistence(store, { closeStore: false }) });
    await system.ref(Queue, 'q').ask('enqueue', { id: 'j1', save: true });
    await expect(system.ref(Grabber, 'g').ask('grab', {})).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED', cause: { code: 'ERR_STATE_WRITE_REFUSED' } });
    expect(store.read('queues', ownedKey('g', 'q'))).toBeUndefined();
  });
});
