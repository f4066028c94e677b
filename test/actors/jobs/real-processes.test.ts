import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryEvents } from '../../../src/actors/jobs/index.js';
import { cleanup, startService, startWorker, until, type WorkerProcess } from './helpers.js';

afterEach(cleanup);

const registered = (workers: WorkerProcess[]) => Promise.all(workers.map((worker) => Promise.race([worker.next('registered'), worker.next('refused')])));

describe('the worker registry with real worker processes over loopback HTTP', () => {
  it('two processes started together: one registers, the other is refused naming it', async () => {
    const service = await startService();
    const workers = [startWorker(service.server.url), startWorker(service.server.url)];
    for (const worker of workers) worker.go();
    const answers = await registered(workers);
    const winner = answers.findIndex((line) => line.event === 'registered');
    const loser = 1 - winner;
    expect(answers.map((line) => line.event).sort()).toEqual(['refused', 'registered']);
    const [holder] = await service.client.list();
    expect(answers[loser]).toMatchObject({
      code: 'ERR_WORKER_ACTIVE',
      active: { id: answers[winner]?.id, hostname: hostname(), pid: workers[winner]?.child.pid, version: { version: 'v1' }, since: holder?.startedAt },
    });
    expect(await workers[loser]?.exited).toEqual({ code: 3, signal: null });
  });

  it('5 processes at once: exactly 1 registers', async () => {
    const service = await startService();
    const workers = Array.from({ length: 5 }, () => startWorker(service.server.url));
    for (const worker of workers) worker.go();
    const answers = await registered(workers);
    const winners = answers.filter((line) => line.event === 'registered');
    expect(winners).toHaveLength(1);
    expect(answers.filter((line) => line.event === 'refused').map((line) => line.active?.id)).toEqual(Array(4).fill(winners[0]?.id));
    const active = await service.client.list();
    expect(active.map((worker) => [worker.id, worker.status])).toEqual([[winners[0]?.id, 'RUNNING']]);
  });

  it('kill -9 the worker: refused until the stale bound, then a new one registers', async () => {
    const service = await startService();
    const first = startWorker(service.server.url);
    first.go();
    const { id } = await first.next('registered');
    first.child.kill('SIGKILL');
    await first.exited;
    const early = startWorker(service.server.url);
    early.go();
    expect(await early.next('refused')).toMatchObject({ code: 'ERR_WORKER_ACTIVE', active: { id } });
    service.clock.advance(service.thresholds.staleAfterMs + 1);
    const next = startWorker(service.server.url);
    next.go();
    const { id: successor } = await next.next('registered');
    expect(successor).not.toBe(id);
    const history = await service.registry.ask('list', {});
    expect(history.map((worker) => worker.id)).toEqual([successor]);
  });

  it('SIGTERM, then kill -9 during STOPPING: the type is free at once, and the hung STOPPING is STOPPED after its bound', async () => {
    const service = await startService();
    const first = startWorker(service.server.url, { drain: 'forever', graceMs: 60_000 });
    first.go();
    const { id } = await first.next('registered');
    first.child.kill('SIGTERM');
    await first.next('dispatch-stopped'); // it told the registry STOPPING first
    expect((await service.client.list()).find((worker) => worker.id === id)?.status).toBe('STOPPING');
    first.child.kill('SIGKILL');
    await first.exited;
    const successor = startWorker(service.server.url);
    successor.go();
    await successor.next('registered');
    const changes: RegistryEvents['worker.changed'][] = [];
    service.events.on('worker.changed', (change) => changes.push(change));
    service.clock.advance(service.thresholds.stoppingTimeoutMs + 1);
    await until(async () => !(await service.client.list()).some((worker) => worker.id === id));
    expect(changes).toContainEqual(expect.objectContaining({ workerId: id, status: 'STOPPED', stopReason: 'stopping-timeout' }));
    // the successor was silent in virtual time meanwhile (stale too), so a new one registers
    const third = startWorker(service.server.url);
    third.go();
    await third.next('registered');
  });

  it('SIGTERM with work running: STOPPING at once, the work finishes, STOPPED, exit 0', async () => {
    const service = await startService();
    const worker = startWorker(service.server.url, { drain: 300 });
    worker.go();
    const { id } = await worker.next('registered');
    worker.child.kill('SIGTERM');
    await worker.next('dispatch-stopped');
    expect((await service.client.list()).find((w) => w.id === id)?.status).toBe('STOPPING');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.lines.map((line) => line.event)).toEqual(['registered', 'dispatch-stopped', 'exit']);
    expect(await service.client.list()).toEqual([]);
    expect(await service.client.deregister(id as string)).toMatchObject({ status: 'STOPPED', stopReason: 'deregistered' });
  });

  it('work past the grace deadline is aborted, then STOPPED and exit 0; a second signal forces exit 1', async () => {
    const service = await startService();
    const slow = startWorker(service.server.url, { drain: 'forever', graceMs: 300 });
    slow.go();
    await slow.next('registered');
    slow.child.kill('SIGTERM');
    expect(await slow.exited).toEqual({ code: 0, signal: null });
    expect(slow.lines.map((line) => line.event)).toEqual(['registered', 'dispatch-stopped', 'aborted', 'exit']);

    const stuck = startWorker(service.server.url, { drain: 'forever', graceMs: 60_000 });
    stuck.go();
    await stuck.next('registered');
    stuck.child.kill('SIGINT');
    await stuck.next('dispatch-stopped');
    stuck.child.kill('SIGINT');
    expect(await stuck.exited).toEqual({ code: 1, signal: null });
  });

  it('versions are visible, and two versions RUNNING raise version-drift', async () => {
    const service = await startService();
    const drifts: RegistryEvents['version-drift'][] = [];
    service.events.on('version-drift', (drift) => drifts.push(drift));
    const api = startWorker(service.server.url, { workerType: 'api', buildId: 'v1' });
    api.go();
    await api.next('registered');
    const media = startWorker(service.server.url, { workerType: 'media', buildId: 'v2' });
    media.go();
    expect(await media.next('registered')).toMatchObject({ version: 'v2' });
    await until(() => drifts.length > 0);
    expect(drifts[0]).toMatchObject({ deployment: 'default', versions: ['v1', 'v2'] });
    const listed = await service.client.list();
    expect(listed.map((worker) => [worker.workerType, worker.version.version, worker.version.source]).sort()).toEqual([
      ['api', 'v1', 'build-id'],
      ['media', 'v2', 'build-id'],
    ]);
    expect(listed[0]?.version).toMatchObject({ nodeVersion: process.version, platform: process.platform, arch: process.arch });
  });

  it('bad input over HTTP is a 400 with ERR_INVALID_MESSAGE and stores nothing', async () => {
    const service = await startService();
    const bad = await fetch(`${service.server.url}/workers`, { method: 'POST', body: JSON.stringify({ workerType: '../x', hostname: 'h', pid: 0 }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'ERR_INVALID_MESSAGE', issues: expect.any(Array) } });
    const notJson = await fetch(`${service.server.url}/workers`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    const badId = await fetch(`${service.server.url}/workers/a%20b/heartbeat`, { method: 'POST' });
    expect([badId.status, ((await badId.json()) as { error: { code: string } }).error.code]).toEqual([400, 'ERR_INVALID_MESSAGE']);
    const unknown = await fetch(`${service.server.url}/workers/worker-9/heartbeat`, { method: 'POST' });
    expect([unknown.status, ((await unknown.json()) as { error: { code: string } }).error.code]).toEqual([410, 'ERR_WORKER_STOPPED']);
    expect(await service.client.list()).toEqual([]);
  });
});
