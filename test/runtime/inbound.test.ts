import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor } from '../../src/index.js';
import { Counter } from '../fixtures/counter.js';
import { flush } from '../fixtures/flush.js';

/** Holds every message from outside until the test delivers it. */
function heldInbound(): { inbound: (to: string, type: string, deliver: () => void) => void; held: Array<{ to: string; type: string; deliver: () => void }> } {
  const held: Array<{ to: string; type: string; deliver: () => void }> = [];
  return { inbound: (to, type, deliver) => void held.push({ to, type, deliver }), held };
}

const Forwarder = defineActor({
  name: 'forwarder',
  messages: { forward: z.object({ by: z.number().int() }) },
  initialState: (_key: string) => ({}),
  handlers: { forward: ({ by }, ctx) => ctx.ref(Counter, 'c').tell('add', { by }) },
});

describe('inbound transit', () => {
  it('carries messages from outside refs and lets the actors’ own messages through at once', async () => {
    const { inbound, held } = heldInbound();
    const system = new ActorSystem({ inbound });
    const counter = system.ref(Counter, 'c');
    counter.tell('add', { by: 1 });
    const reply = counter.ask('get', {});
    expect(held.map(({ to, type }) => `${type} -> ${to}`)).toEqual(['add -> counter/c', 'get -> counter/c']);
    await flush();
    expect(system.liveActors).toBe(0); // nothing arrived, nothing spawned

    system.ref(Forwarder, 'f').tell('forward', { by: 10 });
    held[2]?.deliver(); // the forward arrives; its internal tell to the counter is not held
    await flush();
    expect(held).toHaveLength(3);
    held[0]?.deliver();
    held[1]?.deliver();
    await expect(reply).resolves.toBe(11);
    await system.shutdown();
  });

  it('a message that arrives after shutdown began is refused, not thrown at whoever delivers it', async () => {
    const { inbound, held } = heldInbound();
    const system = new ActorSystem({ inbound });
    const reply = system.ref(Counter, 'c').ask('get', {});
    system.ref(Counter, 'c').tell('add', { by: 1 });
    const stopped = system.shutdown();
    expect(() => held.forEach(({ deliver }) => deliver())).not.toThrow();
    await expect(reply).rejects.toMatchObject({ code: 'ERR_SYSTEM_STOPPED' });
    await stopped;
  });
});
