/**
 * Threads that run several tasks at once (`concurrentTasksPerWorker` > 1)
 * cannot be stopped for one task without killing its neighbours, so a task
 * that hangs after its run was cancelled keeps its thread busy. The pool must
 * heal: stop routing to that thread, recycle it after a grace period (its
 * neighbours fail with ERR_TASK_CRASHED), and keep serving. Real threads,
 * ordered with Atomics; the grace periods are the pool's own timers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PiscinaPool, type PoolIncident } from '../../src/pools/index.js';
import { RELEASE, SEEN, STARTED, until } from './fixtures/gate.js';
import { echoTask, hangTask, newGate, poolTracker, rejectionOf, threadIdTask, throwAfterReturnTask, waitTask } from './helpers.js';

/** Lets every task parked on `view` finish, so no thread outlives its test blocked. */
function release(view: Int32Array): void {
  Atomics.store(view, RELEASE, 1);
  Atomics.notify(view, RELEASE);
}

describe('PiscinaPool with shared threads', () => {
  const pools = poolTracker();
  const gates: Int32Array[] = [];
  afterEach(async () => {
    for (const view of gates.splice(0)) release(view);
    await pools.closeAll();
  });
  const gate = () => {
    const made = newGate();
    gates.push(made.view);
    return made;
  };

  it.each([
    { mode: 'await', hung: 2 },
    { mode: 'block', hung: 1 },
  ] as const)('keeps serving after $hung hung task(s) ($mode) filled its only thread: the thread is recycled', async ({ mode, hung }) => {
    const incidents: PoolIncident[] = [];
    const pool = pools.track(
      new PiscinaPool({ name: 'io', maxThreads: 1, concurrentTasksPerWorker: 2, recycleGraceMs: 10, onIncident: (incident) => incidents.push(incident) }),
    );
    const { gate: buffer, view } = gate();
    const controllers = Array.from({ length: hung }, () => new AbortController());
    const runs = controllers.map((controller) => rejectionOf(pool.run(hangTask, { gate: buffer, mode }, { signal: controller.signal })));
    await until(view, STARTED, (started) => started === hung);
    const hungThread = Atomics.load(view, SEEN);
    for (const controller of controllers) controller.abort();
    expect((await Promise.all(runs)).map((error) => error.code)).toEqual(controllers.map(() => 'ERR_TASK_ABORTED'));
    // Today both slots stay taken for good and this times out "(queued)".
    const thread = await pool.run(threadIdTask, undefined, { timeoutMs: 3_000 });
    expect(thread).not.toBe(hungThread);
    expect(incidents[0]?.code).toBe('ERR_THREAD_RECYCLED');
    expect(incidents[0]?.message).toMatch(/^pool "io" recycled a thread: task "hang" #1 on pool "io" still ran 10 ms after it was aborted$/);
  });

  it('fails the neighbours of a hung task with ERR_TASK_CRASHED when their thread is recycled', async () => {
    const pool = pools.track(new PiscinaPool({ name: 'io', maxThreads: 1, concurrentTasksPerWorker: 2, recycleGraceMs: 10 }));
    const hung = gate();
    const neighbour = gate();
    const controller = new AbortController();
    const aborted = rejectionOf(pool.run(hangTask, { gate: hung.gate, mode: 'await' }, { signal: controller.signal }));
    const beside = rejectionOf(pool.run(waitTask, { gate: neighbour.gate, tag: 2 }, { timeoutMs: 3_000 }));
    await until(hung.view, STARTED, (started) => started === 1);
    await until(neighbour.view, STARTED, (started) => started === 1);
    controller.abort();
    expect((await aborted).code).toBe('ERR_TASK_ABORTED');
    const error = await beside;
    expect(error.code).toBe('ERR_TASK_CRASHED');
    expect(error.message).toMatchInlineSnapshot(
      `"task "wait" #2 on pool "io" crashed: its thread was recycled because task "hang" #1 on pool "io" still ran 10 ms after it was aborted"`,
    );
    await expect(pool.run(echoTask, { n: 5 })).resolves.toEqual({ doubled: 10 });
  });

  it('stops routing to the thread of a task that hangs after its timeout', async () => {
    const pool = pools.track(new PiscinaPool({ name: 'io', minThreads: 2, maxThreads: 2, concurrentTasksPerWorker: 2, recycleGraceMs: 60_000 }));
    const { gate: buffer, view } = gate();
    const controller = new AbortController();
    const hung = rejectionOf(pool.run(hangTask, { gate: buffer, mode: 'block' }, { signal: controller.signal }));
    await until(view, STARTED, (started) => started === 1);
    const hungThread = Atomics.load(view, SEEN);
    controller.abort();
    await hung;
    // Today the least busy thread is as often the blocked one, and a task sent there never returns.
    const threads = await Promise.all([1, 2, 3].map(() => pool.run(threadIdTask, undefined, { timeoutMs: 3_000 })));
    expect(threads.filter((thread) => thread === hungThread)).toEqual([]);
  });

  it('routes to the thread again once the cancelled task ends within the grace period', async () => {
    const incidents: PoolIncident[] = [];
    const pool = pools.track(
      new PiscinaPool({ name: 'io', minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 2, recycleGraceMs: 60_000, onIncident: (incident) => incidents.push(incident) }),
    );
    const { gate: buffer, view } = gate();
    const controller = new AbortController();
    const hung = rejectionOf(pool.run(hangTask, { gate: buffer, mode: 'await' }, { signal: controller.signal }));
    await until(view, STARTED, (started) => started === 1);
    const thread = Atomics.load(view, SEEN);
    controller.abort();
    await hung;
    const next = pool.run(threadIdTask, undefined, { timeoutMs: 3_000 });
    expect(pool.queued).toBe(1); // the thread's free slot is not used while its task may be hung
    release(view);
    expect(await next).toBe(thread);
    expect(incidents).toEqual([]);
  });

  it("reports piscina's 'error' events (a thread error no task owns) as coded incidents, and keeps serving", async () => {
    let reported: (incident: PoolIncident) => void = () => {};
    const incident = new Promise<PoolIncident>((resolve) => (reported = resolve));
    const pool = pools.track(new PiscinaPool({ name: 'io', maxThreads: 1, concurrentTasksPerWorker: 2, onIncident: (seen) => reported(seen) }));
    await expect(pool.run(throwAfterReturnTask, undefined)).resolves.toBe(true);
    const seen = await incident;
    expect(seen.code).toBe('ERR_POOL_THREAD_ERROR');
    expect(seen.message).toMatchInlineSnapshot(`"pool "io": a thread failed outside any task: Error: thrown after the task returned"`);
    expect((seen.cause as Error).message).toBe('thrown after the task returned');
    await expect(pool.run(echoTask, { n: 1 })).resolves.toEqual({ doubled: 2 });
  });

  it('emits a process warning for an incident when no onIncident is given, never swallowing it', async () => {
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    // Two tasks per thread keep its event loop turning between tasks, so the stray throw happens.
    const pool = pools.track(new PiscinaPool({ name: 'io', maxThreads: 1, concurrentTasksPerWorker: 2 }));
    await pool.run(throwAfterReturnTask, undefined);
    const warning = await warned;
    expect(warning).toMatchObject({ code: 'ERR_POOL_THREAD_ERROR', name: 'PoolThreadError' });
  });
});
