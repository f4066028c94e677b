/** What only the in-process pool offers the simulator: a virtual clock and gated completions. */
import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem, type RuntimeEvents } from '../../src/index.js';
import { VirtualClock } from '../../src/runtime/virtual-clock.js';
import { InProcessPool } from '../../src/pools/index.js';
import { RELEASE, STARTED, until } from './fixtures/gate.js';
import { echoTask, newGate, poolTracker, progressTask, rejectionOf, waitTask } from './helpers.js';

describe('InProcessPool', () => {
  const pools = poolTracker();
  afterEach(() => pools.closeAll());

  it('lets a gate decide the order in which outcomes land', async () => {
    const held: Array<() => void> = [];
    const pool = pools.track(new InProcessPool({ name: 'sim', concurrency: 2, gate: (complete) => held.push(complete) }));
    const order: number[] = [];
    const first = pool.run(echoTask, { n: 1 }).then(({ doubled }) => order.push(doubled));
    const second = pool.run(echoTask, { n: 2 }).then(({ doubled }) => order.push(doubled));
    while (held.length < 2) await new Promise<void>((resolve) => setImmediate(resolve));
    held[1]?.();
    held[0]?.();
    await Promise.all([first, second]);
    expect(order).toEqual([4, 2]);
  });

  it('lets a gate crash a finished task, as ERR_TASK_CRASHED, and keeps serving', async () => {
    const held: Array<(error: Error) => void> = [];
    const pool = pools.track(new InProcessPool({ name: 'sim', gate: (_complete, crash) => held.push(crash) }));
    const run = pool.run(echoTask, { n: 1 });
    while (held.length < 1) await new Promise<void>((resolve) => setImmediate(resolve));
    held[0]?.(new Error('simulated thread death'));
    const error = await rejectionOf(run);
    expect(error).toMatchObject({ code: 'ERR_TASK_CRASHED', cause: new Error('simulated thread death') });
    const next = pool.run(echoTask, { n: 2 });
    while (held.length < 2) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(held).toHaveLength(2);
    void next.catch(() => {});
  });

  it('times tasks out on its clock, so virtual time drives ERR_TASK_TIMEOUT', async () => {
    const clock = new VirtualClock();
    const pool = pools.track(new InProcessPool({ name: 'sim', clock, defaultTimeoutMs: 1_000 }));
    const { gate, view } = newGate();
    const run = pool.run(waitTask, { gate, tag: 1 });
    await until(view, STARTED, (started) => started === 1);
    clock.advance(999);
    clock.advance(1);
    expect((await rejectionOf(run)).message).toMatchInlineSnapshot(`"task "wait" #1 on pool "sim" timed out after 1000 ms (running)"`);
  });

  it('passes inputs and progress through structuredClone', async () => {
    const pool = pools.track(new InProcessPool({ name: 'sim' }));
    const input = { n: 4 };
    await expect(pool.run(echoTask, input)).resolves.toEqual({ doubled: 8 });
    const reports: { step: number }[] = [];
    await pool.run(progressTask, { count: 2 }, { onProgress: (report) => reports.push(report) });
    expect(reports).toEqual([{ step: 1 }, { step: 2 }]);
  });

  it('keeps the slot of a cancelled task on a shared virtual thread until the task really ends', async () => {
    const pool = pools.track(new InProcessPool({ name: 'sim', concurrency: 2, concurrentTasksPerWorker: 2, clock: new VirtualClock() }));
    const { gate, view } = newGate();
    const controller = new AbortController();
    const hung = pool.run(waitTask, { gate, tag: 1 }, { signal: controller.signal });
    await until(view, STARTED, (started) => started === 1);
    controller.abort();
    expect((await rejectionOf(hung)).code).toBe('ERR_TASK_ABORTED');
    const next = pool.run(echoTask, { n: 3 });
    expect(pool.queued).toBe(1); // today the slot frees at once and this runs
    Atomics.store(view, RELEASE, 1);
    Atomics.notify(view, RELEASE);
    await expect(next).resolves.toEqual({ doubled: 6 });
  });

  it('recycles a virtual thread after the grace period on its clock: neighbours crash, the queue moves', async () => {
    const clock = new VirtualClock();
    const incidents: string[] = [];
    const pool = pools.track(
      new InProcessPool({ name: 'sim', concurrency: 2, concurrentTasksPerWorker: 2, clock, recycleGraceMs: 500, onIncident: (incident) => incidents.push(incident.code) }),
    );
    const hungGate = newGate();
    const neighbourGate = newGate();
    const controller = new AbortController();
    const hung = pool.run(waitTask, { gate: hungGate.gate, tag: 1 }, { signal: controller.signal });
    const neighbour = pool.run(waitTask, { gate: neighbourGate.gate, tag: 2 });
    await until(neighbourGate.view, STARTED, (started) => started === 1);
    controller.abort();
    await rejectionOf(hung);
    const next = pool.run(echoTask, { n: 4 });
    clock.advance(499);
    expect(pool.queued).toBe(1);
    clock.advance(1);
    const error = await rejectionOf(neighbour);
    expect(error.message).toMatchInlineSnapshot(
      `"task "wait" #2 on pool "sim" crashed: its thread was recycled because task "wait" #1 on pool "sim" still ran 500 ms after it was aborted"`,
    );
    await expect(next).resolves.toEqual({ doubled: 8 });
    expect(incidents).toEqual(['ERR_THREAD_RECYCLED']);
  });
  it("forwards incidents to the events of a system given the pool ('pool.incident'); with no listener there, a process warning", async () => {
    const clock = new VirtualClock();
    const pool = new InProcessPool({ name: 'sim', concurrency: 2, concurrentTasksPerWorker: 2, clock, recycleGraceMs: 500 });
    const system = new ActorSystem({ clock, pools: { sim: pool } });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(String((warning as { code?: string }).code));
    process.on('warning', onWarning);
    try {
      const recycle = async (): Promise<void> => {
        const hungGate = newGate();
        const neighbourGate = newGate();
        const controller = new AbortController();
        const hung = pool.run(waitTask, { gate: hungGate.gate, tag: 1 }, { signal: controller.signal });
        const neighbour = pool.run(waitTask, { gate: neighbourGate.gate, tag: 2 });
        await until(neighbourGate.view, STARTED, (started) => started === 1);
        controller.abort();
        await rejectionOf(hung);
        clock.advance(500);
        await rejectionOf(neighbour);
        for (const gate of [hungGate, neighbourGate]) {
          Atomics.store(gate.view, RELEASE, 1);
          Atomics.notify(gate.view, RELEASE);
        }
      };
      const heard: RuntimeEvents['pool.incident'][] = [];
      system.events.on('pool.incident', (incident) => heard.push(incident));
      await recycle();
      expect(heard.map(({ pool: name, code }) => `${name} ${code}`)).toEqual(['sim ERR_THREAD_RECYCLED']);
      system.events.all.clear();
      await recycle();
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(warnings).toEqual(['ERR_THREAD_RECYCLED']);
    } finally {
      process.off('warning', onWarning);
      await system.shutdown();
    }
  });
});
