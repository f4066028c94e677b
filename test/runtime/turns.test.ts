import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor } from '../../src/index.js';
import { Counter } from '../fixtures/counter.js';
import { flush } from '../fixtures/flush.js';

describe('turn-based handling', () => {
  let system: ActorSystem;
  afterEach(async () => {
    await system.shutdown();
  });

  it('never interleaves a handler that awaits between read and write (100 concurrent asks)', async () => {
    system = new ActorSystem();
    const counter = system.ref(Counter, 'c');
    const replies = await Promise.all(Array.from({ length: 100 }, () => counter.ask('slowAdd', { by: 1 })));
    expect(await counter.ask('get', {})).toBe(100);
    expect([...replies].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it("answers a caller while the actor keeps itself busy with its own outcomes (they do not overtake the caller's message)", async () => {
    system = new ActorSystem();
    const ROUNDS = 2_000;
    const Spinner = defineActor({
      name: 'spinner',
      messages: { spin: z.object({}), read: z.object({}) },
      initialState: (_key: string) => ({ rounds: 0 }),
      handlers: {
        // Each round pipes the next one and ends its turn only after that outcome is queued:
        // the actor's own lane is never empty when it picks its next message.
        spin: async (_p, ctx) => {
          if (++ctx.state.rounds >= ROUNDS) return;
          ctx.pipe(Promise.resolve(), () => ({ type: 'spin', payload: {} }));
          await flush();
        },
        read: (_p, ctx) => ctx.state.rounds,
      },
    });
    const spinner = system.ref(Spinner, 's');
    spinner.tell('spin', {});
    await flush();
    const rounds = await spinner.ask('read', {});
    expect(rounds).toBeLessThan(ROUNDS / 10);
  });

  it('pipe-to-self keeps the mailbox flowing while the work runs', async () => {
    system = new ActorSystem();
    let finishWork!: (value: string) => void;
    const Worker = defineActor({
      name: 'piper',
      messages: {
        start: z.object({}),
        done: z.object({ ok: z.boolean(), value: z.string().optional() }),
        ping: z.object({}),
        read: z.object({}),
      },
      initialState: (_key: string) => ({ result: 'none', pings: 0 }),
      handlers: {
        start: (_p, ctx) => {
          ctx.pipe(new Promise<string>((resolve) => (finishWork = resolve)), (outcome) =>
            outcome.ok ? { type: 'done', payload: { ok: true, value: outcome.value } } : { type: 'done', payload: { ok: false } },
          );
        },
        done: ({ value }, ctx) => {
          ctx.state.result = value ?? 'failed';
        },
        ping: (_p, ctx) => ++ctx.state.pings,
        read: (_p, ctx) => ({ ...ctx.state }),
      },
    });
    const ref = system.ref(Worker, 'w');
    await ref.ask('start', {});
    expect(await ref.ask('ping', {})).toBe(1); // answered while the piped work is still running
    finishWork('made');
    await flush();
    expect(await ref.ask('read', {})).toEqual({ result: 'made', pings: 1 });
  });
});
