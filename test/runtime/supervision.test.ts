import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem, SeededRandom, VirtualClock, type RuntimeEvents } from '../../src/index.js';
import { flakyActor } from '../fixtures/flaky.js';
import { flush } from '../fixtures/flush.js';
import { shutdown } from '../fixtures/shutdown.js';

describe('supervision', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await shutdown(system);
    system = undefined;
  });

  function virtualSystem() {
    const clock = new VirtualClock();
    const sys = new ActorSystem({ clock, random: new SeededRandom(1), askTimeoutMs: 1_000_000 });
    const restarts: RuntimeEvents['actor.restarted'][] = [];
    const stops: RuntimeEvents['actor.stopped'][] = [];
    sys.events.on('actor.restarted', (event) => restarts.push(event));
    sys.events.on('actor.stopped', (event) => stops.push(event));
    system = sys;
    return { system: sys, clock, restarts, stops };
  }

  it('restarts with fresh state after an exponential backoff with jitter', async () => {
    const { system, clock, restarts } = virtualSystem();
    const Flaky = flakyActor('flaky', { strategy: 'restart', minBackoffMs: 100, maxBackoffMs: 1_000, jitter: 0.1, maxRestarts: 10 });
    const ref = system.ref(Flaky, 'f');
    await ref.ask('add', {});
    await expect(ref.ask('crash', {})).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
    const held = ref.ask('get', {}); // queued during the backoff
    await flush();
    expect(restarts).toHaveLength(0);
    clock.advance(89); // below the smallest jittered backoff (100 - 10 %)
    await flush();
    expect(restarts).toHaveLength(0);
    clock.advance(22);
    await flush();
    expect(restarts).toHaveLength(1);
    expect(await held).toBe(0); // fresh state
    const delays: number[] = [restarts[0]!.delayMs];
    for (let attempt = 2; attempt <= 5; attempt++) {
      await expect(ref.ask('crash', {})).rejects.toThrow();
      await flush();
      clock.advance(2_000);
      await flush();
      delays.push(restarts.at(-1)!.delayMs);
    }
    expect(restarts.map((event) => event.attempt)).toEqual([1, 2, 3, 4, 5]);
    const bases = [100, 200, 400, 800, 1_000];
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(bases[i]! * 0.9);
      expect(delay).toBeLessThanOrEqual(bases[i]! * 1.1);
    });
  });

  it('stops for good past the restart limit; later messages become dead letters', async () => {
    const { system, clock, stops } = virtualSystem();
    const Flaky = flakyActor('flaky', { strategy: 'restart', maxRestarts: 2, withinMs: 60_000, minBackoffMs: 10, jitter: 0 });
    const dead: RuntimeEvents['dead.letter'][] = [];
    system.events.on('dead.letter', (event) => dead.push(event));
    const ref = system.ref(Flaky, 'f');
    for (let i = 0; i < 3; i++) {
      await expect(ref.ask('crash', {})).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
      await flush();
      clock.advance(100);
      await flush();
    }
    expect(stops).toEqual([{ type: 'flaky', key: 'f', reason: 'failed' }]);
    await expect(ref.ask('get', {})).rejects.toMatchObject({ code: 'ERR_ACTOR_STOPPED' });
    ref.tell('add', {});
    expect(dead.map((event) => event.reason)).toEqual(['failed', 'failed']); // the tombstone says why it is gone
  });

  it('forgets restarts older than the window', async () => {
    const { system, clock, stops, restarts } = virtualSystem();
    const Flaky = flakyActor('flaky', { strategy: 'restart', maxRestarts: 1, withinMs: 1_000, minBackoffMs: 10, jitter: 0 });
    const ref = system.ref(Flaky, 'f');
    for (let i = 0; i < 3; i++) {
      await expect(ref.ask('crash', {})).rejects.toThrow();
      await flush();
      clock.advance(1_500);
      await flush();
    }
    expect(restarts).toHaveLength(3);
    expect(stops).toEqual([]);
  });

  it('resume keeps the state and drops only the failing message', async () => {
    const { system } = virtualSystem();
    const Flaky = flakyActor('resumer', { strategy: 'resume' });
    const ref = system.ref(Flaky, 'f');
    await ref.ask('add', {});
    await expect(ref.ask('crash', {})).rejects.toThrow('crash on purpose');
    expect(await ref.ask('add', {})).toBe(2);
  });

  it('stop ends the actor for good on the first failure', async () => {
    const { system, stops } = virtualSystem();
    const Flaky = flakyActor('stopper', { strategy: 'stop' });
    const ref = system.ref(Flaky, 'f');
    await expect(ref.ask('crash', {})).rejects.toThrow();
    await flush();
    expect(stops).toEqual([{ type: 'stopper', key: 'f', reason: 'failed' }]);
    await expect(ref.ask('get', {})).rejects.toMatchObject({ code: 'ERR_ACTOR_STOPPED' });
  });

  it('a crash never stops other actors', async () => {
    const { system } = virtualSystem();
    const Flaky = flakyActor('stopper', { strategy: 'stop' });
    const other = system.ref(Flaky, 'other');
    await other.ask('add', {});
    await expect(system.ref(Flaky, 'f').ask('crash', {})).rejects.toThrow();
    expect(await other.ask('add', {})).toBe(2);
    expect(system.running).toBe(true);
  });
});
