import dns from 'node:dns';
import dnsPromises from 'node:dns/promises';
import * as fs from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import * as timers from 'node:timers';
import * as timersPromises from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineActor, type ActorRef } from '../../../src/index.js';
import { defineScenario, runSeed } from '../../../src/runtime/simulator/index.js';

const RUNS = 50;
const here = new URL(import.meta.url);

/** Each real API a simulated run must not reach, as code under test would call it (inside an actor's handler). */
const TOUCHES: Record<string, () => unknown> = {
  setTimeout: () => setTimeout(() => undefined, 5),
  setInterval: () => setInterval(() => undefined, 5),
  setImmediate: () => setImmediate(() => undefined),
  'timers.setTimeout': () => timers.setTimeout(() => undefined, 5),
  'util.promisify(setTimeout)': () => promisify(setTimeout)(5),
  'timers/promises.setTimeout': () => timersPromises.setTimeout(5),
  'timers/promises.setImmediate': () => timersPromises.setImmediate(),
  'fs.readFile': () => fs.readFile(here, () => undefined),
  'fs.readFileSync': () => fs.readFileSync(here),
  'fs.stat': () => fs.stat(here, () => undefined),
  'fs/promises.readFile': () => fsPromises.readFile(here),
  'fs/promises.stat': () => fsPromises.stat(here),
  'dns.lookup': () => dns.lookup('localhost', () => undefined),
  'dns/promises.lookup': () => dnsPromises.lookup('localhost'),
  'net.connect': () => net.connect(9, '127.0.0.1').on('error', () => undefined),
  'net.createServer': () => net.createServer(),
  'http.request': () => http.request('http://127.0.0.1:9/').on('error', () => undefined),
  'http.get': () => http.get('http://127.0.0.1:9/').on('error', () => undefined),
  'https.request': () => https.request('https://127.0.0.1:9/').on('error', () => undefined),
  fetch: () => fetch('http://127.0.0.1:9/'),
};

/** The API name the violation must give for each touch. */
const NAMED: Record<string, string> = { 'util.promisify(setTimeout)': 'timers/promises.setTimeout', 'fs/promises.stat': 'fs/promises.stat' };

const Toucher = defineActor({
  name: 'toucher',
  messages: { touch: z.object({ api: z.string() }) },
  initialState: (_key: string) => ({ touched: 0 }),
  handlers: {
    touch: async ({ api }, ctx) => {
      await Promise.resolve(); // inside the run's async context, a few hops from the step that started it
      try {
        const touched = (TOUCHES[api] as () => unknown)();
        if (touched instanceof Promise) touched.catch(() => undefined);
      } catch {
        // Swallowed on purpose: the refusal must be reported anyway.
      }
      ctx.state.touched++;
    },
  },
});

const touching = (api: string) =>
  defineScenario<{ toucher: ActorRef<typeof Toucher> }>({
    name: `touch ${api}`,
    setup: (world) => ({ toucher: world.system.ref(Toucher, 't') }),
    actions: [{ name: 'touch', run: ({ toucher }) => toucher.tell('touch', { api }) }],
  });

describe('the real-world guard', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  it.each(Object.keys(TOUCHES))('refuses %s in 50 of 50 runs back to back, naming it', async (api) => {
    const scenario = touching(api);
    const named = NAMED[api] ?? api;
    let refused = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const { violation } = await runSeed(scenario, seed, 'random');
      if (violation?.name === 'nondeterminism' && violation.message.startsWith(`${named} was called during a simulated run`)) refused++;
    }
    expect(refused).toBe(RUNS);
  });

  it('leaves code outside the run alone, in 50 of 50 runs: timers, files and sockets of the same process work while runs are refused', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    const { port } = server.address() as net.AddressInfo;
    // An unrelated keep-alive timer, as undici keeps one: it must never get a simulator error thrown into it.
    let ticks = 0;
    const keepAlive = setInterval(() => ticks++, 1);
    cleanups.push(() => clearInterval(keepAlive));
    const scenario = touching('setTimeout');
    let outsideOk = 0;
    for (let run = 1; run <= RUNS; run++) {
      // Outside work started alongside each simulated run, and finishing while it runs.
      const outside = Promise.all([
        timersPromises.setTimeout(1).then(() => 'timer'),
        fsPromises.readFile(here).then(() => 'file'),
        fetch(`http://127.0.0.1:${port}/`).then((response) => response.text()),
        new Promise((resolve) => setImmediate(resolve)),
      ]);
      const simulated = await runSeed(scenario, run, 'random');
      expect(simulated.violation?.name).toBe('nondeterminism');
      const [timer, file, body] = await outside;
      if (timer === 'timer' && file === 'file' && body === 'ok') outsideOk++;
    }
    expect(outsideOk).toBe(RUNS);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ticks).toBeGreaterThan(0);
  });
});
