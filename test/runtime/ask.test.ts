import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AbortedError,
  ActorSystem,
  AskTimeoutError,
  defineActor,
  ForbiddenError,
  HandlerFailedError,
  InvalidMessageError,
  VirtualClock,
} from '../../src/index.js';
import { Counter } from '../fixtures/counter.js';
import { flush } from '../fixtures/flush.js';
import { shutdown } from '../fixtures/shutdown.js';

const Hanging = defineActor({
  name: 'hanging',
  messages: { hang: z.object({}), get: z.object({}) },
  initialState: (_key: string) => ({ handled: 0 }),
  handlers: {
    hang: (_p, ctx) => {
      ctx.state.handled++;
      return new Promise<never>(() => {});
    },
    get: (_p, ctx) => ctx.state.handled,
  },
});

describe('ask', () => {
  let system: ActorSystem;
  afterEach(async () => {
    await shutdown(system, 10);
  });

  it('times out on the injected clock with ERR_ASK_TIMEOUT', async () => {
    const clock = new VirtualClock();
    system = new ActorSystem({ clock, askTimeoutMs: 1_000 });
    const reply = system.ref(Hanging, 'h').ask('hang', {});
    await flush();
    clock.advance(999);
    let settled = false;
    void reply.catch(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    clock.advance(1);
    await expect(reply).rejects.toMatchObject({ code: 'ERR_ASK_TIMEOUT', name: 'AskTimeoutError' });
    await expect(reply).rejects.toBeInstanceOf(AskTimeoutError);
    await expect(reply).rejects.toThrowErrorMatchingInlineSnapshot(`[AskTimeoutError: ask 'hang' to hanging/h got no reply within 1000 ms]`);
  });

  it('honours a per-ask timeout over the default', async () => {
    const clock = new VirtualClock();
    system = new ActorSystem({ clock, askTimeoutMs: 60_000 });
    const reply = system.ref(Hanging, 'h').ask('hang', {}, { timeoutMs: 50 });
    clock.advance(50);
    await expect(reply).rejects.toMatchObject({ code: 'ERR_ASK_TIMEOUT' });
  });

  it('rejects with ERR_ABORTED when the signal aborts, and at once for an aborted signal', async () => {
    system = new ActorSystem();
    const controller = new AbortController();
    const reply = system.ref(Hanging, 'h').ask('hang', {}, { signal: controller.signal });
    controller.abort(new Error('user left'));
    await expect(reply).rejects.toBeInstanceOf(AbortedError);
    await expect(reply).rejects.toMatchObject({ code: 'ERR_ABORTED', cause: new Error('user left') });
    await expect(system.ref(Counter, 'c').ask('add', { by: 1 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ERR_ABORTED',
    });
  });

  it('skips a message whose asker already gave up', async () => {
    system = new ActorSystem();
    const controller = new AbortController();
    const counter = system.ref(Counter, 'c');
    const blocked = system.ref(Hanging, 'h');
    void blocked.ask('hang', {}).catch(() => {});
    const late = blocked.ask('hang', {}, { signal: controller.signal });
    controller.abort();
    await expect(late).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(await counter.ask('add', { by: 1 })).toBe(1);
  });

  it("rejects with ERR_HANDLER_FAILED carrying the handler's error as cause", async () => {
    system = new ActorSystem();
    const reply = system.ref(Counter, 'c').ask('fail', { reason: 'disk on fire' });
    await expect(reply).rejects.toBeInstanceOf(HandlerFailedError);
    await expect(reply).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED', cause: new Error('disk on fire') });
    await expect(reply).rejects.toThrowErrorMatchingInlineSnapshot(`[HandlerFailedError: actor counter/c failed handling 'fail': disk on fire]`);
  });

  it('refuses an invalid message with ERR_INVALID_MESSAGE and its issues, changing no state', async () => {
    system = new ActorSystem();
    const counter = system.ref(Counter, 'c');
    await counter.ask('add', { by: 5 });
    const bad = counter.ask('add', { by: 'ten' as unknown as number });
    await expect(bad).rejects.toBeInstanceOf(InvalidMessageError);
    await expect(bad).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InvalidMessageError: invalid 'add' message for actor type 'counter': by: Invalid input: expected number, received string]`,
    );
    const error = (await bad.catch((e: unknown) => e)) as InvalidMessageError;
    expect(error.code).toBe('ERR_INVALID_MESSAGE');
    expect(error.issues).toEqual([{ path: ['by'], message: 'Invalid input: expected number, received string', code: 'invalid_type' }]);
    expect(() => counter.tell('add', { by: 1.5 })).toThrow(InvalidMessageError);
    expect(() => counter.tell('nope' as 'add', { by: 1 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidMessageError: actor type 'counter' has no message type 'nope' (known: add, slowAdd, get, fail)]`,
    );
    expect(await counter.ask('get', {})).toBe(5);
  });

  it('passes a refusal through as is, without crashing or restarting the actor', async () => {
    system = new ActorSystem();
    const crashes: unknown[] = [];
    system.events.on('actor.crashed', (event) => crashes.push(event));
    const Guarded = defineActor({
      name: 'guarded',
      messages: { withdraw: z.object({ by: z.string() }), count: z.object({}) },
      initialState: (_key: string) => ({ served: 0 }),
      handlers: {
        withdraw: ({ by }, ctx) => {
          if (by !== 'owner') throw new ForbiddenError(`${by} may not withdraw from ${ctx.key}`);
          return ++ctx.state.served;
        },
        count: (_p, ctx) => ctx.state.served,
      },
    });
    const ref = system.ref(Guarded, 'acct');
    await ref.ask('withdraw', { by: 'owner' });
    await expect(ref.ask('withdraw', { by: 'mallory' })).rejects.toThrowErrorMatchingInlineSnapshot(`[ForbiddenError: mallory may not withdraw from acct]`);
    await expect(ref.ask('withdraw', { by: 'mallory' })).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    expect(await ref.ask('count', {})).toBe(1);
    expect(crashes).toEqual([]);
  });

  it('skips validation on trusted refs', async () => {
    system = new ActorSystem();
    const trusted = system.ref(Counter, 'c', { trusted: true });
    expect(await trusted.ask('add', { by: 2 })).toBe(2);
  });
});
