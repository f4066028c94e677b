import { describe, expect, it } from 'vitest';
import { defineTask } from '../../src/pools/index.js';
import { TaskCrashedError, ThreadRecycledError } from '../../src/pools/errors.js';
import type { BackendJob } from '../../src/pools/dispatcher.js';
import { ThreadLedger } from '../../src/pools/thread-ledger.js';
import { StopSignal } from '../../src/runtime/ports/index.js';
import { VirtualClock } from '../../src/runtime/virtual-clock.js';
import { z } from 'zod';

const task = defineTask({ name: 'echo', module: 'file:///srv/echo.js', input: z.unknown(), result: z.unknown() });

function job(n: number): BackendJob {
  return { label: `task "echo" #${n} on pool "io"`, task, input: n, channel: undefined, thread: undefined };
}

function ledger(clock: VirtualClock, recycled: number[]): ThreadLedger {
  return new ThreadLedger({ pool: 'io', clock, graceMs: 100, perThread: 2, recycle: (thread) => void recycled.push(thread), report: () => undefined });
}

describe('ThreadLedger.settle', () => {
  it('passes an outcome through and frees the slot', async () => {
    const threads = ledger(new VirtualClock(), []);
    const first = job(1);
    threads.assign(first, 7, new StopSignal());
    await expect(threads.settle(first, Promise.resolve('done'))).resolves.toBe('done');
    expect(threads.ended(first)).toBeUndefined(); // already ended by settle
  });

  it('passes a plain failure through', async () => {
    const threads = ledger(new VirtualClock(), []);
    const first = job(1);
    threads.assign(first, 7, new StopSignal());
    const failure = new Error('task threw');
    await expect(threads.settle(first, Promise.reject(failure))).rejects.toBe(failure);
  });

  it("turns the failure of a neighbour whose thread was recycled into ERR_TASK_CRASHED, the recycle as cause", async () => {
    const clock = new VirtualClock();
    const recycled: number[] = [];
    const threads = ledger(clock, recycled);
    const stuck = job(1);
    const neighbour = job(2);
    const stop = new StopSignal();
    threads.assign(stuck, 7, stop);
    threads.assign(neighbour, 7, new StopSignal());
    stop.abort(new Error('cancelled'));
    threads.stuck(stuck);
    clock.advance(100);
    expect(recycled).toEqual([7]);
    const error = await threads.settle(neighbour, Promise.reject(new Error('worker terminated'))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TaskCrashedError);
    expect((error as TaskCrashedError).cause).toBeInstanceOf(ThreadRecycledError);
    expect((error as Error).message).toMatch(/^task "echo" #2 on pool "io" crashed: its thread was recycled because task "echo" #1 on pool "io" still ran 100 ms after it was cancelled/);
  });
});
