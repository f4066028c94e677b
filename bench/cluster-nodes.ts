/**
 * Cluster benchmark, node side: a forwarded ask (node A → owner B → A, real
 * HTTP on loopback) against the same ask made on the owner itself, and the
 * time from SIGKILL of an owner process to the first answer from its
 * successor, against the lease ttl.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ClusterNode } from '../src/cluster/index.js';
import { defineActor } from '../src/index.js';
import { percentile } from './harness.js';

const Echo = defineActor({
  name: 'echo',
  messages: { get: z.object({ n: z.number() }) },
  initialState: () => ({ asked: 0 }),
  handlers: { get: ({ n }, ctx) => ((ctx.state.asked += 1), n) },
});

const Counter = defineActor({
  name: 'counter',
  messages: { bump: z.object({}) },
  initialState: () => ({ count: 0 }),
  persistence: { collection: 'counters' },
  handlers: {
    bump: async (_payload, ctx) => {
      ctx.state.count += 1;
      await ctx.save();
      return ctx.state.count;
    },
  },
});

async function p50(samples: number, ask: (n: number) => Promise<unknown>): Promise<number> {
  for (let n = 0; n < 200; n++) await ask(n); // warm-up: connections open, code hot
  const times: number[] = [];
  for (let n = 0; n < samples; n++) {
    const start = performance.now();
    await ask(n);
    times.push(performance.now() - start);
  }
  return percentile(times, 50);
}

/** p50 of one ask through a non-owner (forwarded) and on the owner (local), interleaved rounds. */
export async function forwardedAsk(url: string, schema: string, samples: number): Promise<{ forwarded: number; local: number }> {
  const a = await ClusterNode.start({ connectionString: url, schema, nodeId: 'bench-a', actors: [Echo, Counter] });
  const b = await ClusterNode.start({ connectionString: url, schema, nodeId: 'bench-b', actors: [Echo, Counter] });
  try {
    await b.ref(Echo, 'e-1').ask('get', { n: 0 }); // b owns e-1
    let forwarded = 0;
    let local = 0;
    for (let round = 0; round < 2; round++) {
      forwarded += (await p50(samples, (n) => a.ref(Echo, 'e-1').ask('get', { n }))) / 2;
      local += (await p50(samples, (n) => b.ref(Echo, 'e-1').ask('get', { n }))) / 2;
    }
    return { forwarded, local };
  } finally {
    await a.close();
    await b.close();
  }
}

/** Ms from SIGKILL of the process owning `k-0` to the first answer for it from a surviving node. */
export async function takeover(url: string, schema: string, ttlMs: number): Promise<number> {
  const fixture = fileURLToPath(new URL('../test/cluster/fixtures/cluster-node.js', import.meta.url));
  const child = spawn(process.execPath, [fixture, url, schema, 'bench-doomed', String(ttlMs)], { stdio: ['pipe', 'pipe', 'ignore'] });
  const lines = createInterface({ input: child.stdout });
  const seen = (prefix: string) => new Promise<void>((resolve) => lines.on('line', (line) => line.startsWith(prefix) && resolve()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const survivor = await ClusterNode.start({ connectionString: url, schema, nodeId: 'bench-survivor', actors: [Counter], leaseTtlMs: ttlMs, askTimeoutMs: 10 * ttlMs });
  try {
    await seen('ready ');
    const loaded = seen('done ');
    child.stdin.write('load 200 1 1\n'); // the doomed node owns k-0 and writes it
    await loaded;
    child.kill('SIGKILL');
    const killed = performance.now();
    await exited;
    await survivor.ref(Counter, 'k-0').ask('bump', {});
    return performance.now() - killed;
  } finally {
    child.kill('SIGKILL');
    await survivor.close();
  }
}
