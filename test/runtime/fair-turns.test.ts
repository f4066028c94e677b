import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, defineActor } from '../../src/index.js';

const HOPS = 200_000;

/** Tells itself `left` more times, one synchronous turn each; `progress.hops` counts handled hops. */
const progress = { hops: 0, done: undefined as (() => void) | undefined };
const Spinner = defineActor({
  name: 'spinner',
  messages: { spin: z.object({ left: z.number().int() }) },
  initialState: (_key: string) => ({}),
  handlers: {
    spin: ({ left }, ctx) => {
      progress.hops++;
      if (left > 0) ctx.self.tell('spin', { left: left - 1 });
      else progress.done?.();
    },
  },
});

/** Never answers `wait`. */
const Silent = defineActor({
  name: 'silent',
  messages: { wait: z.object({}) },
  initialState: (_key: string) => ({}),
  handlers: { wait: () => new Promise<never>(() => {}) },
});

function spin(system: ActorSystem): Promise<void> {
  progress.hops = 0;
  const finished = new Promise<void>((resolve) => (progress.done = resolve));
  system.ref(Spinner, 's').tell('spin', { left: HOPS - 1 });
  return finished;
}

describe('fair turns: an actor that keeps telling itself does not starve the event loop', () => {
  let system: ActorSystem;
  let server: Server | undefined;
  afterEach(async () => {
    await system.shutdown({ deadlineMs: 50 }); // the silent actor never finishes its turn
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('a 0 ms timer fires long before the actor has handled all 200,000 self-tells', async () => {
    system = new ActorSystem();
    const finished = spin(system);
    const hopsWhenTimerFired = await new Promise<number>((resolve) => setTimeout(() => resolve(progress.hops), 0));
    await finished;
    expect(progress.hops).toBe(HOPS);
    expect(hopsWhenTimerFired).toBeLessThan(HOPS / 2);
  });

  it('a loopback HTTP request is answered while the actor is still spinning', async () => {
    system = new ActorSystem();
    server = createServer((_req, res) => res.end(String(progress.hops)));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const finished = spin(system);
    const hopsWhenAnswered = await new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(Number(body)));
      }).on('error', reject);
    });
    await finished;
    expect(hopsWhenAnswered).toBeLessThan(HOPS);
  });

  it("another actor's 10 ms ask deadline fires while the spinner is still going", async () => {
    system = new ActorSystem();
    const ask = system.ref(Silent, 'x').ask('wait', {}, { timeoutMs: 10 });
    const finished = spin(system);
    const error = await ask.catch((caught: unknown) => caught);
    const hopsWhenExpired = progress.hops;
    await finished;
    expect(error).toMatchObject({ code: 'ERR_ASK_TIMEOUT' });
    expect(hopsWhenExpired).toBeLessThan(HOPS / 2);
  });
});
