import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem, VirtualClock, type TimerHandle } from '../../../src/index.js';
import { MemoryStore, Persistence } from '../../../src/persistence/index.js';
import { createWorkerRegistry, detectVersion, localRegistryClient, WorkerClient, type RegistryClient } from '../../../src/actors/jobs/index.js';
import { flush } from '../../fixtures/flush.js';
import { shutdown } from '../../fixtures/shutdown.js';

let systems: ActorSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.map((system) => shutdown(system)));
  systems = [];
});

/** A virtual clock that also holds a process, as the real one does: it records which timers are kept alive. */
class HoldingClock extends VirtualClock {
  readonly kept = new Set<TimerHandle>();
  keepAlive(handle: TimerHandle, keep: boolean): void {
    if (keep) this.kept.add(handle);
    else this.kept.delete(handle);
  }
  override clearTimer(handle: TimerHandle): void {
    this.kept.delete(handle);
    super.clearTimer(handle);
  }
}

function setup() {
  const clock = new HoldingClock(5_000_000);
  const system = new ActorSystem({ clock, persistence: new Persistence(new MemoryStore()) });
  systems.push(system);
  const { WorkerRegistry } = createWorkerRegistry({ staleAfterMs: 3_000, stoppingTimeoutMs: 6_000 });
  const registry = localRegistryClient(system.ref(WorkerRegistry, 'default'));
  const version = detectVersion({ cwd: tmpdir(), env: { BUILD_ID: 'b-7' } });
  const client = (pid: number, extra: Partial<ConstructorParameters<typeof WorkerClient>[0]> = {}) =>
    new WorkerClient({ registry, workerType: 'media', hostname: 'h', pid, version, heartbeatIntervalMs: 1_000, graceMs: 2_000, clock, ...extra });
  return { clock, registry, client };
}

async function advance(clock: VirtualClock, ms: number, step = 500): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

describe('the worker client', () => {
  it('registers RUNNING and keeps its registration alive by heartbeats on its clock', async () => {
    const { clock, registry, client } = setup();
    const worker = await client(1).start();
    expect(worker.status).toBe('RUNNING');
    await advance(clock, 10_000);
    expect((await registry.list()).map((w) => w.id)).toEqual([worker.id]);
    await expect(client(2).start()).rejects.toMatchObject({ code: 'ERR_WORKER_ACTIVE', active: { id: worker.id } });
  });

  it('is told it is lost when the registry fenced it out', async () => {
    const { clock, registry, client } = setup();
    const lost: string[] = [];
    const first = client(1, { onLost: (error) => lost.push(error.code) });
    const worker = await first.start();
    await registry.deregister(worker.id); // as a stale sweep would
    await advance(clock, 1_500);
    expect([first.status, lost]).toEqual(['lost', ['ERR_WORKER_STOPPED']]);
  });

  it('stop: STOPPING before dispatch stops, abort after the grace deadline, then STOPPED', async () => {
    const { clock, registry, client } = setup();
    const seen: string[] = [];
    const worker = client(1, {
      stopDispatch: () => seen.push('dispatch stopped'),
      drain: () => new Promise(() => {}),
      abort: () => seen.push('aborted'),
    });
    const { id } = await worker.start();
    const stopped = worker.stop();
    await flush();
    expect((await registry.list())[0]).toMatchObject({ id, status: 'STOPPING' });
    expect(seen).toEqual(['dispatch stopped']);
    await advance(clock, 2_500);
    await stopped;
    expect([worker.status, seen]).toEqual(['stopped', ['dispatch stopped', 'aborted']]);
    expect(await registry.deregister(id)).toMatchObject({ status: 'STOPPED', stopReason: 'deregistered' });
  });

  it('stop: the grace deadline, set on its clock, holds the process until the work drains', async () => {
    const { clock, client } = setup();
    let finish = () => {};
    const worker = client(1, { drain: () => new Promise<void>((resolve) => (finish = resolve)) });
    await worker.start();
    await flush(); // an ask's deadline lane lets the process go after the turn it empties in
    expect(clock.kept.size).toBe(0); // heartbeats are housekeeping: they let the process exit
    const stopped = worker.stop();
    await flush();
    expect([worker.status, clock.kept.size]).toEqual(['stopping', 1]);
    finish();
    await stopped;
    await flush();
    expect([worker.status, clock.kept.size]).toEqual(['stopped', 0]);
  });

  it('refuses bad options', () => {
    const registry = {} as RegistryClient;
    expect(() => new WorkerClient({ registry, workerType: 'media', graceMs: -1 })).toThrowError(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
  });
});

describe('detectVersion', () => {
  it('is the git SHA in a repository, else BUILD_ID, else build-<timestamp>', () => {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    expect(detectVersion()).toEqual({ version: sha, source: 'git', nodeVersion: process.version, platform: process.platform, arch: process.arch });
    expect(detectVersion({ cwd: tmpdir(), env: { BUILD_ID: 'ci-1234' } })).toMatchObject({ version: 'ci-1234', source: 'build-id' });
    expect(detectVersion({ cwd: tmpdir(), env: {}, clock: new VirtualClock(Date.UTC(2026, 11, 2, 3, 4, 5)) })).toMatchObject({ version: 'build-20261202T030405Z', source: 'timestamp' });
  });
});
