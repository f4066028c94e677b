/**
 * What only a real thread can show: crashes, out-of-memory, stopping CPU-bound
 * code, a channel whose far end dies, several tasks per thread, and piscina's
 * atomics modes. (The in-process pool cannot survive process.exit or OOM.)
 */
import { Worker } from 'node:worker_threads';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { connectChannel } from '../../src/pools/channel.js';
import { PiscinaPool } from '../../src/pools/index.js';
import { RELEASE, SEEN, STARTED, until } from './fixtures/gate.js';
import {
  afterReturnTask,
  echoTask,
  exitTask,
  fixture,
  newGate,
  oomTask,
  poolTracker,
  progressTask,
  rejectionOf,
  releaseTask,
  reportAfterCancelTask,
  spinTask,
  throwOutsideTask,
  waitTask,
} from './helpers.js';

describe('PiscinaPool on real threads', () => {
  const pools = poolTracker();
  afterEach(() => pools.closeAll());

  it('reports process.exit inside a task as ERR_TASK_CRASHED with the exit code, and keeps serving', async () => {
    const pool = pools.track(new PiscinaPool({ name: 'cpu', maxThreads: 1 }));
    const error = await rejectionOf(pool.run(exitTask, { code: 3 }));
    expect(error.code).toBe('ERR_TASK_CRASHED');
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatchInlineSnapshot(`"task "exit" #1 on pool "cpu" crashed: its thread exited with code 3"`);
    await expect(pool.run(echoTask, { n: 1 })).resolves.toEqual({ doubled: 2 });
  });

  it('reports an error thrown outside the task as ERR_TASK_CRASHED with the cause', async () => {
    const pool = pools.track(new PiscinaPool({ name: 'cpu', maxThreads: 1 }));
    const error = await rejectionOf(pool.run(throwOutsideTask, undefined));
    expect(error.code).toBe('ERR_TASK_CRASHED');
    expect((error.cause as Error).message).toBe('thrown outside the task');
    await expect(pool.run(echoTask, { n: 2 })).resolves.toEqual({ doubled: 4 });
  });

  it('reports running out of memory under resourceLimits as ERR_TASK_CRASHED', async () => {
    const pool = pools.track(new PiscinaPool({ name: 'cpu', maxThreads: 1, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } }));
    const error = await rejectionOf(pool.run(oomTask, undefined));
    expect(error.code).toBe('ERR_TASK_CRASHED');
    expect(error.message).toMatch(/ran out of memory/);
    expect((error.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    await expect(pool.run(echoTask, { n: 3 })).resolves.toEqual({ doubled: 6 });
  });

  it('stops a thread blocked in CPU-bound code on timeout, then serves on a fresh one', async () => {
    const pool = pools.track(new PiscinaPool({ name: 'cpu', maxThreads: 1 }));
    const { gate, view } = newGate();
    await pool.run(echoTask, { n: 0 }); // a warm thread: what is tested is that the task gets stopped, not how fast a thread starts
    // Long enough for the task to start on a loaded machine.
    const rejected = rejectionOf(pool.run(spinTask, { gate }, { timeoutMs: 300 }));
    await until(view, STARTED, (started) => started === 1);
    expect((await rejected).message).toMatch(/timed out after 300 ms \(running\)/);
    await expect(pool.run(echoTask, { n: 4 })).resolves.toEqual({ doubled: 8 });
  });

  it('rejects a pending channel call with ERR_CHANNEL_CLOSED when the thread serving it dies', async () => {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(fixture('serve-then-exit'));
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    worker.postMessage(port2, [port2]);
    const { calls, close } = connectChannel<{ progress(step: number): void }>(port1, 'test channel', ['progress']);
    const error = await rejectionOf(calls.progress(1)); // the far end exits instead of answering
    expect(error.code).toBe('ERR_CHANNEL_CLOSED');
    expect(await exited).toBe(9);
    expect((await rejectionOf(calls.progress(2))).code).toBe('ERR_CHANNEL_CLOSED'); // later calls too
    close();
  });

  it("rejects a task's progress call with ERR_CHANNEL_CLOSED once its run was cancelled", async () => {
    // Two tasks per thread: a cancelled task is not stopped (that would kill its neighbour),
    // so it runs on and must learn from its channel that nobody listens. No new task goes to its
    // thread meanwhile, so the releasing task runs on the second one.
    const pool = pools.track(new PiscinaPool({ name: 'io', maxThreads: 2, concurrentTasksPerWorker: 2, recycleGraceMs: 60_000 }));
    const { gate, view } = newGate();
    const controller = new AbortController();
    const reports: number[] = [];
    const run = pool.run(reportAfterCancelTask, { gate }, { signal: controller.signal, onProgress: (p) => reports.push(p) });
    await until(view, STARTED, (started) => started === 1);
    controller.abort();
    expect((await rejectionOf(run)).code).toBe('ERR_TASK_ABORTED');
    await pool.run(releaseTask, { gate });
    expect(await until(view, SEEN, (seen) => seen !== 0)).toBe(1);
    expect(reports).toEqual([]);
  });

  it('runs several tasks on one thread with concurrentTasksPerWorker', async () => {
    const pool = pools.track(new PiscinaPool({ name: 'io', minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 2 }));
    const { gate } = newGate();
    // The waiting task can only finish if the releasing one runs beside it on the single thread.
    const waiting = pool.run(waitTask, { gate, tag: 5 });
    await expect(pool.run(releaseTask, { gate })).resolves.toBe(true);
    await expect(waiting).resolves.toBe(5);
    expect(pool.threadCount).toBe(1);
  });

  it("keeps a thread's event loop turning between tasks in IO pools (atomics 'async')", async () => {
    const pool = pools.track(new PiscinaPool({ name: 'io', maxThreads: 1, concurrentTasksPerWorker: 2 }));
    const { gate, view } = newGate();
    await expect(pool.run(afterReturnTask, { gate })).resolves.toBe(true);
    // No further task is posted: the timer the task left behind fires only if the loop is not parked.
    expect(await until(view, SEEN, (seen) => seen !== 0)).toBe(1);
  });

  it("delivers progress in order under atomics 'sync' with two tasks per thread", async () => {
    const pool = pools.track(new PiscinaPool({ name: 'cpu', maxThreads: 1, concurrentTasksPerWorker: 2, atomics: 'sync' }));
    const seen: [number[], number[]] = [[], []];
    const results = await Promise.all(
      seen.map((steps) => pool.run(progressTask, { count: 40 }, { onProgress: ({ step }) => steps.push(step) })),
    );
    expect(results).toEqual([40, 40]);
    const expected = Array.from({ length: 40 }, (_, index) => index + 1);
    expect(seen).toEqual([expected, expected]);
  });

  it('hands the next task to piscina ahead of a free thread, still counted as queued, and runs everything in order', async () => {
    const pool = pools.track(new PiscinaPool({ name: 'cpu', minThreads: 1, maxThreads: 1 }));
    const { gate, view } = newGate();
    const runs = [1, 2, 3].map((tag) => pool.run(waitTask, { gate, tag }));
    await until(view, STARTED, (started) => started === 1);
    expect(pool.queued).toBe(2); // one of them is already in piscina's queue
    Atomics.store(view, RELEASE, 1);
    Atomics.notify(view, RELEASE);
    await expect(Promise.all(runs)).resolves.toEqual([1, 2, 3]);
    expect(Atomics.load(view, STARTED)).toBe(3);
  });

  it('runs the task handed ahead on the fresh thread after the running one is stopped', async () => {
    const pool = pools.track(new PiscinaPool({ name: 'cpu', minThreads: 1, maxThreads: 1 }));
    const { gate, view } = newGate();
    const controller = new AbortController();
    const running = pool.run(waitTask, { gate, tag: 1 }, { signal: controller.signal });
    const next = pool.run(echoTask, { n: 21 });
    await until(view, STARTED, (started) => started === 1);
    controller.abort();
    expect((await rejectionOf(running)).message).toMatch(/aborted while running/);
    await expect(next).resolves.toEqual({ doubled: 42 });
    Atomics.store(view, RELEASE, 1);
  });

  it('leaves no thread behind after close, even with a task blocked in CPU-bound code', async () => {
    const pool = pools.track(new PiscinaPool({ name: 'cpu', minThreads: 2, maxThreads: 2 }));
    const { gate, view } = newGate();
    const blocked = rejectionOf(pool.run(spinTask, { gate }));
    await until(view, STARTED, (started) => started === 1);
    expect(pool.threadCount).toBe(2);
    await pool.close({ deadlineMs: 5 });
    expect((await blocked).code).toBe('ERR_POOL_CLOSED');
    expect(pool.threadCount).toBe(0);
    Atomics.store(view, RELEASE, 1);
  });
});
