import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem, VirtualClock, type ActorRef } from '../../../src/index.js';
import { MemoryStore, Persistence, type WriteOp } from '../../../src/persistence/index.js';
import { shutdown } from '../../fixtures/shutdown.js';
import {
  createWorkerRegistry,
  DEFAULT_KEEP_STOPPED,
  WORKER_REGISTRIES,
  WORKERS,
  type RegistryEvents,
  type VersionInfo,
  type WorkerInstance,
  type WorkerRegistryDefinition,
  type WorkerRegistryOptions,
} from '../../../src/actors/jobs/index.js';

const V1: VersionInfo = { version: 'a1b2c3d', source: 'git', nodeVersion: 'v20.0.0', platform: 'linux', arch: 'x64' };
const V2: VersionInfo = { ...V1, version: 'e4f5a6b' };

let systems: ActorSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.map((system) => shutdown(system)));
  systems = [];
});

function setup(options: WorkerRegistryOptions = {}, store = new MemoryStore()) {
  const clock = new VirtualClock(1_000_000);
  const system = new ActorSystem({ clock, persistence: new Persistence(store, { closeStore: false }) });
  systems.push(system);
  const made = createWorkerRegistry({ staleAfterMs: 3_000, stoppingTimeoutMs: 6_000, ...options });
  const seen: { type: keyof RegistryEvents; event: unknown }[] = [];
  made.events.on('*', (type, event) => seen.push({ type, event }));
  const registry: ActorRef<WorkerRegistryDefinition> = system.ref(made.WorkerRegistry, 'default');
  return { clock, system, store, registry, seen, ...made };
}

const request = (pid: number, workerType = 'media', version = V1) => ({ workerType, hostname: 'host-a', pid, version });

describe('the worker registry actor', () => {
  it('admits one STARTING or RUNNING worker per type and names the holder to the next', async () => {
    const { registry, clock } = setup();
    const first = await registry.ask('register', request(101));
    expect(first).toMatchObject({ status: 'STARTING', workerType: 'media', pid: 101, startedAt: clock.now() });
    await registry.ask('running', { workerId: first.id });
    const refused = await registry.ask('register', request(102)).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'ERR_WORKER_ACTIVE', active: { id: first.id, hostname: 'host-a', pid: 101, version: V1, since: first.startedAt, status: 'RUNNING' } });
    expect((refused as Error).message).toContain(first.id);
    // another type is free
    await expect(registry.ask('register', request(103, 'cookies'))).resolves.toMatchObject({ workerType: 'cookies' });
  });

  it('writes the registry state and the worker record in one commit, before answering', async () => {
    const store = new MemoryStore();
    const commits: string[][] = [];
    const counting = Object.assign(Object.create(store) as MemoryStore, {
      commit: (batch: readonly WriteOp[]) => {
        commits.push(batch.map((op) => `${op.collection}/${op.key}`));
        return store.commit(batch);
      },
      read: store.read.bind(store),
      get: store.get.bind(store),
      query: store.query.bind(store),
    });
    const { registry } = setup({}, counting);
    const worker = await registry.ask('register', request(101));
    expect(commits).toEqual([[`${WORKER_REGISTRIES}/default`, `${WORKERS}/default/${worker.id}`]]);
    expect(store.read(WORKERS, `default/${worker.id}`)?.value).toMatchObject({ status: 'STARTING' });
  });

  it('a retry by the holding process gets its own registration back', async () => {
    const { registry, seen } = setup();
    const first = await registry.ask('register', request(101));
    await expect(registry.ask('register', request(101))).resolves.toEqual(first);
    expect(seen.filter((entry) => entry.type === 'worker.registered')).toHaveLength(1);
  });

  it('a silent worker is STOPPED (stale) after the bound, and its type is free', async () => {
    const { registry, clock, store, seen } = setup();
    const first = await registry.ask('register', request(101));
    await registry.ask('running', { workerId: first.id });
    clock.advance(2_000);
    await registry.ask('heartbeat', { workerId: first.id });
    clock.advance(3_000); // 3,000 ms since the heartbeat: not past the bound
    await expect(registry.ask('register', request(102))).rejects.toMatchObject({ code: 'ERR_WORKER_ACTIVE' });
    clock.advance(1); // the sweep timer fires
    await registry.ask('list', {});
    expect(store.read(WORKERS, `default/${first.id}`)?.value).toMatchObject({ status: 'STOPPED', stopReason: 'stale' });
    expect(seen).toContainEqual({ type: 'worker.changed', event: expect.objectContaining({ workerId: first.id, status: 'STOPPED', stopReason: 'stale' }) });
    await expect(registry.ask('register', request(102))).resolves.toMatchObject({ pid: 102 });
    // the silent one, waking up, is fenced out
    await expect(registry.ask('heartbeat', { workerId: first.id })).rejects.toMatchObject({ code: 'ERR_WORKER_STOPPED' });
  });

  it('STOPPING frees the type at once; a hung STOPPING is STOPPED after its bound', async () => {
    const { registry, clock, store } = setup();
    const first = await registry.ask('register', request(101));
    await registry.ask('running', { workerId: first.id });
    await expect(registry.ask('stopping', { workerId: first.id })).resolves.toMatchObject({ status: 'STOPPING', stoppingSince: clock.now() });
    const second = await registry.ask('register', request(102));
    await registry.ask('running', { workerId: second.id });
    await expect(registry.ask('running', { workerId: first.id })).resolves.toMatchObject({ status: 'STOPPING' });
    for (let i = 0; i < 3; i++) {
      clock.advance(2_000);
      await registry.ask('heartbeat', { workerId: second.id });
    }
    clock.advance(1);
    const listed = await registry.ask('list', {});
    expect(listed.map((worker) => worker.id)).toEqual([second.id]);
    expect(store.read(WORKERS, `default/${first.id}`)?.value).toMatchObject({ status: 'STOPPED', stopReason: 'stopping-timeout', stoppedAt: clock.now() });
  });

  it('deregister is final and idempotent', async () => {
    const { registry } = setup();
    const first = await registry.ask('register', request(101));
    const stopped = await registry.ask('deregister', { workerId: first.id });
    expect(stopped).toMatchObject({ status: 'STOPPED', stopReason: 'deregistered' });
    await expect(registry.ask('deregister', { workerId: first.id })).resolves.toEqual(stopped);
    await expect(registry.ask('running', { workerId: first.id })).rejects.toMatchObject({ code: 'ERR_WORKER_STOPPED' });
    await expect(registry.ask('heartbeat', { workerId: 'worker-unknown' })).rejects.toMatchObject({ code: 'ERR_WORKER_STOPPED' });
  });

  it('two versions RUNNING raise version-drift once, and its end version-converged', async () => {
    const { registry, seen } = setup();
    const api = await registry.ask('register', request(101, 'api', V1));
    await registry.ask('running', { workerId: api.id });
    const media = await registry.ask('register', request(102, 'media', V2));
    expect(seen.some((entry) => entry.type === 'version-drift')).toBe(false); // STARTING does not count
    await registry.ask('running', { workerId: media.id });
    await registry.ask('heartbeat', { workerId: media.id });
    const drifts = seen.filter((entry) => entry.type === 'version-drift');
    expect(drifts).toEqual([
      {
        type: 'version-drift',
        event: {
          deployment: 'default',
          versions: [V1.version, V2.version],
          workers: [
            { workerId: api.id, workerType: 'api', version: V1.version },
            { workerId: media.id, workerType: 'media', version: V2.version },
          ],
        },
      },
    ]);
    await registry.ask('deregister', { workerId: media.id });
    expect(seen.at(-1)).toEqual({ type: 'version-converged', event: { deployment: 'default', versions: [V1.version] } });
  });

  it('a throwing event listener changes nothing', async () => {
    const { registry, events } = setup();
    events.on('worker.registered', () => {
      throw new Error('observer bug');
    });
    const first = await registry.ask('register', request(101));
    await expect(registry.ask('running', { workerId: first.id })).resolves.toMatchObject({ status: 'RUNNING' });
  });

  it('bad input is refused with ERR_INVALID_MESSAGE and changes nothing', async () => {
    const { registry, store } = setup();
    expect(() => registry.tell('register', { ...request(1), workerType: '../etc' })).toThrowError(expect.objectContaining({ code: 'ERR_INVALID_MESSAGE' }));
    await expect(registry.ask('register', { ...request(1), pid: -4 })).rejects.toMatchObject({ code: 'ERR_INVALID_MESSAGE' });
    expect(store.read(WORKER_REGISTRIES, 'default')).toBeUndefined();
  });

  it('a restarted registry reloads its workers and does not count its own downtime as their silence', async () => {
    const store = new MemoryStore();
    const first = setup({}, store);
    const worker = await first.registry.ask('register', request(101));
    await first.registry.ask('running', { workerId: worker.id });
    await shutdown(first.system);
    const second = setup({}, store);
    second.clock.advance(10_000); // long past the stale bound, but the registry was down
    await expect(second.registry.ask('register', request(102))).rejects.toMatchObject({ code: 'ERR_WORKER_ACTIVE', active: { id: worker.id } });
    await expect(second.registry.ask('heartbeat', { workerId: worker.id })).resolves.toMatchObject({ status: 'RUNNING' });
  });

  it('refuses thresholds that are not positive integers', () => {
    expect(() => createWorkerRegistry({ staleAfterMs: 0 })).toThrowError(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
  });
});

/*
 * STOPPED worker records do not pile up: the registry keeps the newest
 * `keepStopped` of each worker type and deletes older ones in the turn (and
 * the commit) that stops a newer one; a registry whose state predates the
 * history indexes its STOPPED records once when it activates, pruning them
 * to the bound.
 */
const stoppedOf = async (store: MemoryStore, type: string) =>
  (await store.query<WorkerInstance>(WORKERS, { prefix: 'default/' })).filter((r) => r.value.workerType === type && r.value.status === 'STOPPED').map((r) => r.value.pid);

describe('STOPPED worker history', () => {
  it('keeps the newest keepStopped STOPPED records per type, deleting the oldest in the commit that stops a newer one', async () => {
    const { registry, store, clock } = setup({ keepStopped: 2 });
    const cookies = await registry.ask('register', request(900, 'cookies'));
    await registry.ask('deregister', { workerId: cookies.id });
    for (const pid of [101, 102, 103, 104]) {
      const worker = await registry.ask('register', request(pid));
      clock.advance(10);
      await registry.ask('deregister', { workerId: worker.id });
      expect((await stoppedOf(store, 'media')).sort()).toEqual([101, 102, 103, 104].filter((p) => p <= pid && p > pid - 2));
    }
    // another type's history is its own
    expect(await stoppedOf(store, 'cookies')).toEqual([900]);
    // a stale worker counts too: expired by a sweep, in the sweep's commit
    await registry.ask('register', request(105));
    clock.advance(3_001);
    await registry.ask('list', {});
    expect((await stoppedOf(store, 'media')).sort()).toEqual([104, 105]);
  });

  it('defaults to DEFAULT_KEEP_STOPPED and refuses a bound that is not a positive integer with ERR_INVALID_CONFIG', () => {
    expect(DEFAULT_KEEP_STOPPED).toBe(20);
    expect(() => createWorkerRegistry({ keepStopped: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
    expect(() => createWorkerRegistry({ keepStopped: 1.5 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
  });

  it('prunes the STOPPED records of a registry state written before the history was kept, when it activates', async () => {
    const store = new MemoryStore();
    const old = (n: number): WorkerInstance => ({
      id: `worker-old-${n}`,
      workerType: 'media',
      status: 'STOPPED',
      hostname: 'host-a',
      pid: 200 + n,
      version: V1,
      startedAt: n,
      lastHeartbeatAt: n,
      stoppingSince: null,
      stoppedAt: 1_000 + n,
      stopReason: 'deregistered',
    });
    const writes: WriteOp[] = [5, 1, 4, 2, 3].map((n) => ({ op: 'put', collection: WORKERS, key: `default/${old(n).id}`, value: old(n) }));
    // another deployment's records are not this registry's
    writes.push({ op: 'put', collection: WORKERS, key: `default/x/${old(9).id}`, value: old(9) });
    await store.commit([{ op: 'put', collection: WORKER_REGISTRIES, key: 'default', value: { workers: {}, drift: [] } }, ...writes]);
    const { registry } = setup({ keepStopped: 2 }, store);
    await registry.ask('list', {});
    expect((await stoppedOf(store, 'media')).sort()).toEqual([204, 205, 209]);
    const worker = await registry.ask('register', request(301));
    await registry.ask('deregister', { workerId: worker.id });
    expect((await stoppedOf(store, 'media')).sort()).toEqual([205, 209, 301]);
  });
});
