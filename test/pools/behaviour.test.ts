/**
 * The behavioural contract of a TaskPool, run against both implementations.
 * Thread-only cases (process.exit, OOM, throws outside a task) live in
 * threads.test.ts: an in-process pool cannot survive them by design.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InProcessPool, PiscinaPool } from '../../src/pools/index.js';
import { RELEASE, STARTED, until } from './fixtures/gate.js';
import {
  absentModuleTask,
  echoTask,
  noExportTask,
  throwsOnLoadTask,
  junkTask,
  newGate,
  POOL_KINDS,
  poolTracker,
  progressTask,
  rejectionOf,
  throwsTask,
  uncloneableTask,
  waitTask,
} from './helpers.js';

describe.each(POOL_KINDS)('TaskPool behaviour: $kind', ({ create }) => {
  const pools = poolTracker();
  afterEach(() => pools.closeAll());

  it('resolves with the validated result', async () => {
    const pool = pools.track(create());
    await expect(pool.run(echoTask, { n: 21 })).resolves.toEqual({ doubled: 42 });
  });

  it('rejects a task that throws with ERR_TASK_FAILED and the cloned error as cause', async () => {
    const pool = pools.track(create({ name: 'cpu' }));
    const error = await rejectionOf(pool.run(throwsTask, { message: 'boom' }));
    expect(error.code).toBe('ERR_TASK_FAILED');
    expect(error.message).toMatchInlineSnapshot(`"task "throws" #1 on pool "cpu" failed: RangeError: boom"`);
    expect(error.cause).toMatchObject({ name: 'RangeError', message: 'boom', code: 'E_FIXTURE' });
    // The reason beside the code: where the code lives, and a message without the task's own text.
    expect(error).toMatchObject({ module: throwsTask.moduleHref, export: 'default', publicMessage: 'task "throws" #1 on pool "cpu" failed: RangeError (E_FIXTURE)' });
    await expect(pool.run(echoTask, { n: 1 })).resolves.toEqual({ doubled: 2 });
  });

  it('refuses bad input with ERR_INVALID_TASK_INPUT before using a slot', async () => {
    const pool = pools.track(create({ name: 'cpu' }));
    const error = await rejectionOf(pool.run(echoTask, { n: 'seven' } as unknown as { n: number }));
    expect(error.code).toBe('ERR_INVALID_TASK_INPUT');
    expect(error.message).toMatchInlineSnapshot(`"task "echo" #1 on pool "cpu" refused: invalid input (n: Invalid input: expected number, received string)"`);
  });

  it('refuses a junk result with ERR_INVALID_TASK_RESULT', async () => {
    const pool = pools.track(create({ name: 'cpu' }));
    const error = await rejectionOf(pool.run(junkTask, undefined));
    expect(error.code).toBe('ERR_INVALID_TASK_RESULT');
    expect(error.message).toMatchInlineSnapshot(`"task "echo" #1 on pool "cpu" returned an invalid result (doubled: Invalid input: expected number, received string)"`);
  });

  it('refuses a result that cannot cross threads with ERR_INVALID_TASK_RESULT', async () => {
    const pool = pools.track(create());
    expect((await rejectionOf(pool.run(uncloneableTask, undefined))).code).toBe('ERR_INVALID_TASK_RESULT');
    await expect(pool.run(echoTask, { n: 2 })).resolves.toEqual({ doubled: 4 });
  });

  it('times out a running task with ERR_TASK_TIMEOUT and keeps serving', async () => {
    const pool = pools.track(create({ name: 'cpu' }));
    const { gate } = newGate();
    const error = await rejectionOf(pool.run(waitTask, { gate, tag: 1 }, { timeoutMs: 20 }));
    expect(error.code).toBe('ERR_TASK_TIMEOUT');
    expect(error.message).toMatch(/^task "wait" #1 on pool "cpu" timed out after 20 ms/);
    await expect(pool.run(echoTask, { n: 3 })).resolves.toEqual({ doubled: 6 });
  });

  it('times out a queued task with ERR_TASK_TIMEOUT without running it', async () => {
    const pool = pools.track(create());
    const { gate, view } = newGate();
    const running = pool.run(waitTask, { gate, tag: 1 });
    await until(view, STARTED, (started) => started === 1);
    const error = await rejectionOf(pool.run(waitTask, { gate, tag: 2 }, { timeoutMs: 1 }));
    expect(error.message).toMatch(/timed out after 1 ms \(queued\)/);
    Atomics.store(view, RELEASE, 1);
    Atomics.notify(view, RELEASE);
    await expect(running).resolves.toBe(1);
    expect(Atomics.load(view, STARTED)).toBe(1);
  });

  it('aborts a running task with ERR_TASK_ABORTED and the reason as cause', async () => {
    const pool = pools.track(create());
    const { gate, view } = newGate();
    const controller = new AbortController();
    const running = pool.run(waitTask, { gate, tag: 1 }, { signal: controller.signal });
    await until(view, STARTED, (started) => started === 1);
    controller.abort(new Error('owner stopped'));
    const error = await rejectionOf(running);
    expect(error.code).toBe('ERR_TASK_ABORTED');
    expect(error.message).toMatch(/aborted while running/);
    expect((error.cause as Error).message).toBe('owner stopped');
    await expect(pool.run(echoTask, { n: 4 })).resolves.toEqual({ doubled: 8 });
  });

  it('aborts a queued task without running it', async () => {
    const pool = pools.track(create());
    const { gate, view } = newGate();
    const controller = new AbortController();
    const first = pool.run(waitTask, { gate, tag: 1 });
    const queued = pool.run(waitTask, { gate, tag: 2 }, { signal: controller.signal });
    await until(view, STARTED, (started) => started === 1);
    controller.abort();
    expect((await rejectionOf(queued)).message).toMatch(/aborted while queued/);
    Atomics.store(view, RELEASE, 1);
    Atomics.notify(view, RELEASE);
    await expect(first).resolves.toBe(1);
    await expect(pool.run(echoTask, { n: 5 })).resolves.toEqual({ doubled: 10 });
    expect(Atomics.load(view, STARTED)).toBe(1);
  });

  it('rejects an already-aborted signal at once', async () => {
    const pool = pools.track(create());
    expect((await rejectionOf(pool.run(echoTask, { n: 1 }, { signal: AbortSignal.abort() }))).code).toBe('ERR_TASK_ABORTED');
  });

  it('still completes a normal task after 100 aborts in a row (piscina #805)', async () => {
    const pool = pools.track(create());
    let aborted = 0;
    // 20 rounds of five tasks, aborted in #805's order: the next queued one first, then the
    // running one, then the rest; every round stops one running task.
    for (let round = 0; round < 20; round++) {
      const { gate, view } = newGate();
      const controllers = Array.from({ length: 5 }, () => new AbortController());
      const runs = controllers.map((controller, tag) => pool.run(waitTask, { gate, tag }, { signal: controller.signal }));
      await until(view, STARTED, (started) => started === 1);
      for (const index of [1, 0, 2, 3, 4]) controllers[index]?.abort();
      const codes = await Promise.all(runs.map(async (run) => (await rejectionOf(run)).code));
      aborted += codes.filter((code) => code === 'ERR_TASK_ABORTED').length;
    }
    expect(aborted).toBe(100);
    await expect(pool.run(echoTask, { n: 50 })).resolves.toEqual({ doubled: 100 });
  });

  it('rejects with ERR_POOL_FULL when the queue is at maxQueue', async () => {
    const pool = pools.track(create({ name: 'io', maxQueue: 2 }));
    const { gate, view } = newGate();
    const accepted = [1, 2, 3].map((tag) => pool.run(waitTask, { gate, tag }));
    const error = await rejectionOf(pool.run(waitTask, { gate, tag: 4 }));
    expect(error.code).toBe('ERR_POOL_FULL');
    expect(error.message).toMatchInlineSnapshot(`"task "wait" #4 on pool "io" refused: the queue holds 2 tasks (maxQueue)"`);
    Atomics.store(view, RELEASE, 1);
    Atomics.notify(view, RELEASE);
    await expect(Promise.all(accepted)).resolves.toEqual([1, 2, 3]);
  });

  it('delivers progress in order, validated, before the result', async () => {
    const pool = pools.track(create());
    const steps: number[] = [];
    let heartbeats = 0;
    const result = await pool.run(progressTask, { count: 50 }, {
      onProgress: ({ step }) => steps.push(step),
      onHeartbeat: () => heartbeats++,
    });
    expect(result).toBe(50);
    expect(steps).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    expect(heartbeats).toBe(1);
  });

  it('closes with tasks in flight: queued cancelled, running given until the deadline, every caller told', async () => {
    const pool = pools.track(create({ name: 'cpu' }));
    const { gate, view } = newGate();
    const running = pool.run(waitTask, { gate, tag: 1 });
    const queued = pool.run(waitTask, { gate, tag: 2 });
    await until(view, STARTED, (started) => started === 1);
    const closed = pool.close({ deadlineMs: 1 });
    const [runningError, queuedError] = await Promise.all([rejectionOf(running), rejectionOf(queued)]);
    await closed;
    expect(queuedError.message).toMatchInlineSnapshot(`"task "wait" #2 on pool "cpu" cancelled: the pool closed before it started"`);
    expect(runningError.message).toMatchInlineSnapshot(`"task "wait" #1 on pool "cpu" stopped: still running at the pool's 1 ms close deadline"`);
    expect((await rejectionOf(pool.run(echoTask, { n: 1 }))).code).toBe('ERR_POOL_CLOSED');
  });

  it('lets running tasks finish within the close deadline', async () => {
    const pool = pools.track(create());
    const { gate, view } = newGate();
    const running = pool.run(waitTask, { gate, tag: 7 });
    await until(view, STARTED, (started) => started === 1);
    const closed = pool.close({ deadlineMs: 60_000 });
    Atomics.store(view, RELEASE, 1);
    Atomics.notify(view, RELEASE);
    await expect(running).resolves.toBe(7);
    await closed;
  });

  it.each([
    { task: noExportTask, says: /refused: its module file:.*no-export\.js exports no function named "missing" and no default function$/ },
    { task: absentModuleTask, says: /refused: its module file:.*absent\.js could not be loaded: Error: Cannot find module/ },
    { task: throwsOnLoadTask, says: /refused: its module file:.*throws-on-load\.js could not be loaded: Error: this module refuses to load$/ },
  ])('refuses a task whose module does not give its function with ERR_TASK_MODULE, at check and at run ($task.name)', async ({ task, says }) => {
    const pool = pools.track(create({ name: 'cpu' }));
    const checked = await rejectionOf((pool as InProcessPool | PiscinaPool).check(task));
    expect(checked).toMatchObject({ code: 'ERR_TASK_MODULE', module: task.moduleHref, export: task.name });
    expect(checked.message).toMatch(says);
    const ran = await rejectionOf(pool.run(task, undefined));
    expect(ran.code).toBe('ERR_TASK_MODULE');
    expect(ran.message).toMatch(says);
    await expect((pool as InProcessPool | PiscinaPool).check(echoTask)).resolves.toBeUndefined();
    await expect(pool.run(echoTask, { n: 1 })).resolves.toEqual({ doubled: 2 });
  });
});
