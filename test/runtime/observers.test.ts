import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem, type RuntimeEvents } from '../../src/index.js';
import { flakyActor } from '../fixtures/flaky.js';

type EventName = keyof RuntimeEvents;
const EVENTS: readonly EventName[] = [
  'actor.started',
  'actor.stopped',
  'actor.crashed',
  'actor.restarted',
  'task.failed',
  'dead.letter',
  'mailbox.overflow',
];

const Flaky = flakyActor('observed', { strategy: 'restart', minBackoffMs: 1, maxBackoffMs: 1, jitter: 0, maxRestarts: 10 });

/** Resolves when `name` is next seen on the bus. */
function next<K extends EventName>(system: ActorSystem, name: K): Promise<RuntimeEvents[K]> {
  return new Promise((resolve) => {
    const listener = (event: RuntimeEvents[K]) => {
      system.events.off(name, listener);
      resolve(event);
    };
    system.events.on(name, listener);
  });
}

describe('observers cannot break the runtime', () => {
  let system: ActorSystem;
  afterEach(async () => {
    await system.shutdown();
  });

  it('a throwing listener on every event changes nothing, and each of its errors is reported', async () => {
    const reported: Array<{ event: string; message: string }> = [];
    system = new ActorSystem({
      onListenerError: (error, event) => reported.push({ event, message: (error as Error).message }),
    });
    // Registered first, so today's emit throws before any later listener (or the runtime) goes on.
    for (const name of EVENTS) {
      system.events.on(name, () => {
        throw new Error(`listener of ${name} broke`);
      });
    }
    system.events.on('*', () => {
      throw new Error('wildcard listener broke');
    });
    const seen: string[] = [];
    for (const name of EVENTS) system.events.on(name, () => seen.push(name));

    const ref = system.ref(Flaky, 'f');
    expect(await ref.ask('add', {})).toBe(1);
    const restarted = next(system, 'actor.restarted');
    await expect(ref.ask('crash', {})).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
    await restarted;
    expect(await ref.ask('get', {})).toBe(0); // restarted with fresh state: the poisoned state is gone

    await system.stop(ref);
    await expect(ref.ask('get', {})).rejects.toMatchObject({ code: 'ERR_ACTOR_STOPPED' }); // stopped for good: a dead letter

    expect(seen).toEqual(expect.arrayContaining(['actor.started', 'actor.crashed', 'actor.restarted', 'actor.stopped', 'dead.letter']));
    expect(reported).toEqual(
      expect.arrayContaining([
        { event: 'actor.crashed', message: 'listener of actor.crashed broke' },
        { event: 'actor.restarted', message: 'listener of actor.restarted broke' },
        { event: 'actor.stopped', message: 'listener of actor.stopped broke' },
        { event: 'dead.letter', message: 'listener of dead.letter broke' },
        { event: 'actor.crashed', message: 'wildcard listener broke' },
      ]),
    );
  });

  it('a throwing dead-letter listener still lets the asker of a stopped actor get its error', async () => {
    const reported: string[] = [];
    system = new ActorSystem({ onListenerError: (_error, event) => reported.push(event) });
    system.events.on('dead.letter', () => {
      throw new Error('dead-letter listener broke');
    });
    const dead: RuntimeEvents['dead.letter'][] = [];
    system.events.on('dead.letter', (event) => dead.push(event));
    const Stopping = flakyActor('stopping', { strategy: 'stop' });
    const ref = system.ref(Stopping, 's');
    const stopped = next(system, 'actor.stopped');
    await expect(ref.ask('crash', {})).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
    await stopped;
    await expect(ref.ask('get', {})).rejects.toMatchObject({ code: 'ERR_ACTOR_STOPPED' });
    expect(dead).toEqual([{ type: 'stopping', key: 's', messageType: 'get', reason: 'failed' }]);
    expect(reported).toEqual(['dead.letter']);
  });

  it('by default a listener error becomes a process warning, never swallowed', async () => {
    system = new ActorSystem();
    system.events.on('actor.crashed', () => {
      throw new Error('crash listener broke');
    });
    const warning = new Promise<Error>((resolve) => process.once('warning', resolve));
    const ref = system.ref(flakyActor('warned', { strategy: 'resume' }), 'w');
    await expect(ref.ask('crash', {})).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
    expect(await ref.ask('add', {})).toBe(1); // resumed: supervision still ran
    const emitted = await warning;
    expect(emitted.message).toContain("'actor.crashed'");
    expect(emitted.message).toContain('crash listener broke');
    expect(emitted).toMatchObject({ code: 'ERR_LISTENER_FAILED' });
  });
});
