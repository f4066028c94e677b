import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor } from '../../src/index.js';
import { flush } from '../fixtures/flush.js';

const SECRET = 'sid=SECRET-cookie-value-7f3a';

/** Holds a secret value in its messages and state, and fails in every way an actor can. */
const Vault = defineActor({
  name: 'vault',
  messages: {
    store: z.object({ cookie: z.string().startsWith('sid=') }),
    crash: z.object({ cookie: z.string() }),
    hang: z.object({ cookie: z.string() }),
  },
  initialState: (_key: string) => ({ cookie: '' }),
  mailbox: { capacity: 1, overflow: 'drop-oldest' },
  supervision: { strategy: 'resume' },
  handlers: {
    store: ({ cookie }, ctx) => void (ctx.state.cookie = cookie),
    crash: () => {
      throw new Error('rotation failed'); // handlers must not put secrets in errors; the runtime adds none
    },
    hang: () => new Promise<void>(() => {}),
  },
});

describe('secrets in messages never leak through the runtime', () => {
  let system: ActorSystem;
  afterEach(async () => {
    await system.shutdown({ deadlineMs: 50 });
  });

  it('keeps payloads out of events, dead letters and errors', async () => {
    system = new ActorSystem({ askTimeoutMs: 50 });
    const seen: unknown[] = [];
    system.events.on('*', (type, event) => seen.push({ type, event }));
    const vault = system.ref(Vault, 'v');
    const errors: unknown[] = [];
    const capture = (promise: Promise<unknown>) => promise.catch((error: unknown) => errors.push(error));

    await vault.ask('store', { cookie: SECRET });
    await capture(vault.ask('store', { cookie: `x${SECRET}` })); // fails its schema
    await capture(vault.ask('crash', { cookie: SECRET }));
    void capture(vault.ask('hang', { cookie: SECRET }));
    await flush();
    for (let i = 0; i < 3; i++) void capture(vault.ask('store', { cookie: SECRET })); // overflow: dropped → dead letters
    await flush();
    await system.stop(vault);
    await capture(vault.ask('store', { cookie: SECRET })); // stopped → dead letter
    expect(errors.length).toBeGreaterThanOrEqual(5);
    expect(seen.length).toBeGreaterThanOrEqual(4);

    const dump = JSON.stringify([seen, errors.map(describeDeeply)]);
    expect(dump).not.toContain('SECRET-cookie-value');
  });
});

/** An error with its message, code, issues and causes, as a log line would show them. */
function describeDeeply(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return { ...error, name: error.name, message: error.message, stack: error.stack, cause: describeDeeply(error.cause) };
}
