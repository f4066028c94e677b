import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, realClock, type RuntimeEvents } from '../../src/index.js';
import { flakyActor } from '../fixtures/flaky.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const HOUR = 3_600_000;

const Silent = defineActor({
  name: 'silent',
  messages: { wait: z.object({}) },
  initialState: (_key: string) => ({}),
  handlers: { wait: () => new Promise<never>(() => {}) },
});

/** The outcome of `promise`, or 'still pending' after `ms` of real time. */
function within<T>(ms: number, promise: Promise<T>): Promise<T | 'still pending'> {
  return Promise.race([promise, new Promise<'still pending'>((resolve) => setTimeout(() => resolve('still pending'), ms))]);
}

function codeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'settled',
    (error: { code?: unknown }) => error.code,
  );
}

describe('deadlines run on a monotonic clock', () => {
  let system: ActorSystem;
  afterEach(async () => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    await system.shutdown({ deadlineMs: 50 });
  });

  it('a wall-clock step back an hour does not stall an ask deadline', async () => {
    system = new ActorSystem();
    vi.useFakeTimers({ toFake: ['Date'] });
    const ask = codeOf(system.ref(Silent, 's').ask('wait', {}, { timeoutMs: 100 }));
    vi.setSystemTime(Date.now() - HOUR);
    expect(await within(3_000, ask)).toBe('ERR_ASK_TIMEOUT');
  });

  it('a wall-clock step forward an hour does not fire a deadline early', async () => {
    system = new ActorSystem();
    const silent = system.ref(Silent, 's');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const first = codeOf(silent.ask('wait', {}, { timeoutMs: 300 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    let second: unknown = 'still pending';
    const secondDone = codeOf(silent.ask('wait', {}, { timeoutMs: 300 })).then((code) => (second = code));
    vi.setSystemTime(Date.now() + HOUR);
    expect(await first).toBe('ERR_ASK_TIMEOUT');
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe('still pending'); // due 200 ms after the first, whatever the wall clock says
    await secondDone;
    expect(second).toBe('ERR_ASK_TIMEOUT');
  });

  it('counts the restart window on the monotonic clock: a step forward does not forgive earlier restarts', async () => {
    system = new ActorSystem();
    const Flaky = flakyActor('windowed', { strategy: 'restart', maxRestarts: 1, withinMs: 60_000, minBackoffMs: 1, maxBackoffMs: 1, jitter: 0 });
    const stopped = new Promise<RuntimeEvents['actor.stopped']>((resolve) => system.events.on('actor.stopped', resolve));
    const restarted = new Promise<void>((resolve) => system.events.on('actor.restarted', () => resolve()));
    const ref = system.ref(Flaky, 'f');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    await expect(ref.ask('crash', {})).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
    await restarted;
    vi.setSystemTime(Date.now() + 2 * 60_000);
    await expect(ref.ask('crash', {})).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
    expect(await within(3_000, stopped)).toEqual({ type: 'windowed', key: 'f', reason: 'failed' });
  });

  it.each([2 ** 32, Infinity])('an ask with timeoutMs %d never spins a short timer', async (timeoutMs) => {
    system = new ActorSystem();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const ask = codeOf(system.ref(Silent, 's').ask('wait', {}, { timeoutMs }));
    await new Promise<void>((resolve) => setImmediate(resolve));
    const before = setTimeoutSpy.mock.calls.length;
    await new Promise<void>((resolve) => realClock.setTimer(50, resolve));
    // Node runs a delay outside 1..2^31-1 ms after 1 ms; the 50 ms wait itself is ours.
    const spun = setTimeoutSpy.mock.calls.slice(before).filter(([, delay]) => delay !== 50 && !(typeof delay === 'number' && delay >= 1_000 && delay <= 2 ** 31 - 1));
    expect(spun).toEqual([]);
    void ask;
  });

  it('a timer longer than setTimeout can hold fires neither early nor never', () => {
    system = new ActorSystem();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let fired = false;
    realClock.setTimer(2 ** 31 + 5_000, () => (fired = true));
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).toBe(false);
    vi.advanceTimersByTime(5_000);
    expect(fired).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(fired).toBe(true);
  });

  it('a pending ask keeps the process alive until it times out; answered asks and passivation timers do not', async () => {
    system = new ActorSystem();
    const started = performance.now();
    const { stdout } = await run(process.execPath, ['dist/test/fixtures/hung-ask-script.js', '300'], { cwd: root, timeout: 60_000 });
    expect(stdout.trim()).toBe('pong ERR_ASK_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(50_000); // neither the 600 s ask deadline nor passivation held it
  });
});
