import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor, type InboundTransit } from '../../src/index.js';
import { Counter } from '../fixtures/counter.js';
import { flush } from '../fixtures/flush.js';

/** Holds every message from outside until the test delivers it. */
interface Held {
  readonly to: string;
  readonly type: string;
  readonly deliver: () => void;
  readonly abandoned: () => boolean;
}
function heldInbound(): { inbound: InboundTransit; held: Held[] } {
  const held: Held[] = [];
  return { inbound: (to, type, deliver, abandoned) => void held.push({ to, type, deliver, abandoned }), held };
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

  it('tells the transit when an ask in it was abandoned by its caller (timed out or aborted); a tell never is', async () => {
    const { inbound, held } = heldInbound();
    const system = new ActorSystem({ inbound });
    const counter = system.ref(Counter, 'c');
    const timedOut = counter.ask('get', {}, { timeoutMs: 5 });
    const aborts = new AbortController();
    const aborted = counter.ask('get', {}, { signal: aborts.signal });
    const waiting = counter.ask('get', {});
    counter.tell('add', { by: 1 });
    expect(held.map(({ abandoned }) => abandoned())).toEqual([false, false, false, false]);
    aborts.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    await expect(timedOut).rejects.toMatchObject({ code: 'ERR_ASK_TIMEOUT', handled: false });
    expect(held.map(({ abandoned }) => abandoned())).toEqual([true, true, false, false]);
    held.forEach(({ deliver }) => deliver());
    await expect(waiting).resolves.toBe(0);
    await system.shutdown();
  });
});
