/** Tracing the Node way: diagnostics channels, the logger option and the metrics snapshot. */
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSystem, COMMIT_CHANNEL, defineActor, TURN_CHANNEL, type Logger } from '../../src/index.js';
import { MemoryStore, Persistence, PERSISTENCE_COMMIT_CHANNEL } from '../../src/persistence/index.js';
import { InProcessPool, POOL_TASK_CHANNEL } from '../../src/pools/index.js';
import { echoTask } from '../pools/helpers.js';

/** A secret that must never reach a channel message's text, a log line or a snapshot. */
const SECRET = `sid=${randomBytes(12).toString('hex')}`;

const Vault = defineActor({
  name: 'vault',
  messages: {
    store: z.object({ secret: z.string() }),
    leak: z.object({ secret: z.string() }),
    hold: z.object({ until: z.custom<Promise<void>>() }),
    touch: z.object({}),
  },
  initialState: () => ({ kept: 0 }),
  persistence: { collection: 'vaults' },
  handlers: {
    store: async (_payload, ctx) => {
      ctx.state.kept++;
      await ctx.save();
    },
    leak: ({ secret }) => {
      throw new Error(`refusing ${secret}`);
    },
    hold: ({ until }) => until,
    touch: () => undefined,
  },
});

/** A pino-shaped logger that keeps its lines (what a real pino would write), bindings merged in. */
function recordingLogger(lines: Array<Record<string, unknown>>, bindings: Record<string, unknown> = {}): Logger {
  const line = (level: string) => (fields: object, message?: string) => lines.push({ level, ...bindings, ...fields, msg: message });
  return { info: line('info'), warn: line('warn'), error: line('error'), child: (more) => recordingLogger(lines, { ...bindings, ...more }) };
}

/** Subscribes to `name` for the test's duration. */
function listen(name: string, into: unknown[], subscriptions: Array<() => void>): void {
  const listener = (message: unknown) => void into.push(message);
  subscribe(name, listener);
  subscriptions.push(() => unsubscribe(name, listener));
}

describe('diagnostics channels', () => {
  const systems: ActorSystem[] = [];
  const subscriptions: Array<() => void> = [];
  afterEach(async () => {
    for (const off of subscriptions.splice(0)) off();
    for (const system of systems.splice(0)) await system.shutdown();
  });

  it('publish every runtime event on steward:<event>, with the bus payload', async () => {
    const crashed: unknown[] = [];
    const deadLetters: unknown[] = [];
    listen('steward:actor.crashed', crashed, subscriptions);
    listen('steward:dead.letter', deadLetters, subscriptions);
    const system = new ActorSystem({ persistence: new Persistence(new MemoryStore()) });
    systems.push(system);
    const ref = system.ref(Vault, 'v1');
    await expect(ref.ask('leak', { secret: SECRET })).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
    await system.stop(ref);
    ref.tell('touch', {});
    expect(crashed).toEqual([expect.objectContaining({ type: 'vault', key: 'v1', messageType: 'leak' })]);
    expect(deadLetters).toEqual([{ type: 'vault', key: 'v1', messageType: 'touch', reason: 'stopped' }]);
  });

  it('time turns and commits only while someone listens or timings are on', async () => {
    const system = new ActorSystem({ persistence: new Persistence(new MemoryStore()) });
    systems.push(system);
    const ref = system.ref(Vault, 'v1');
    await ref.ask('store', { secret: SECRET });
    expect(system.metrics().turns.durationMs.count).toBe(0); // nobody measured: no clock read, nothing recorded

    const turns: Array<{ type: string; messageType: string; durationMs: number }> = [];
    const commits: Array<{ writes: number; ok: boolean; durationMs: number }> = [];
    const groups: Array<{ requests: number; writes: number }> = [];
    listen(TURN_CHANNEL, turns, subscriptions);
    listen(COMMIT_CHANNEL, commits, subscriptions);
    listen(PERSISTENCE_COMMIT_CHANNEL, groups, subscriptions);
    await ref.ask('store', { secret: SECRET });
    await new Promise<void>((resolve) => setImmediate(resolve)); // the reply goes out inside the turn, the turn's message right after
    expect(turns).toEqual([expect.objectContaining({ type: 'vault', key: 'v1', messageType: 'store' })]);
    expect(turns[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(commits).toEqual([expect.objectContaining({ writes: 1, ok: true })]);
    expect(groups).toEqual([expect.objectContaining({ requests: 1, writes: 1, storeCommits: 1 })]);
    expect(JSON.stringify([turns, commits, groups])).not.toContain(SECRET);
    expect(system.metrics().turns.durationMs.count).toBe(0); // the channel listens; the histogram is the option's
  });

  it('publish each settled pool task on steward:pool.task', async () => {
    const tasks: unknown[] = [];
    listen(POOL_TASK_CHANNEL, tasks, subscriptions);
    const pool = new InProcessPool({ name: 'echoes' });
    try {
      await pool.run(echoTask, { n: 2 });
      await expect(pool.run(echoTask, { n: 'two' } as unknown as { n: number })).rejects.toMatchObject({ code: 'ERR_INVALID_TASK_INPUT' });
    } finally {
      await pool.close();
    }
    expect(tasks).toEqual([expect.objectContaining({ pool: 'echoes', task: 'echo', ok: true, code: undefined })]); // a refused input was never accepted
  });
});

describe('the logger option', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await system?.shutdown();
    system = undefined;
  });

  it('gets crashes, dead letters and listener failures with ids and codes, never payloads or error text', async () => {
    const lines: Array<Record<string, unknown>> = [];
    system = new ActorSystem({ logger: recordingLogger(lines), persistence: new Persistence(new MemoryStore()) });
    system.events.on('actor.crashed', () => {
      throw new Error(`listener saw ${SECRET}`);
    });
    const ref = system.ref(Vault, 'v2');
    await expect(ref.ask('leak', { secret: SECRET })).rejects.toMatchObject({ code: 'ERR_HANDLER_FAILED' });
    await system.stop(ref);
    ref.tell('touch', {});
    expect(lines).toEqual([
      { level: 'error', component: 'steward', event: 'actor.crashed', type: 'vault', key: 'v2', messageType: 'leak', code: 'Error', msg: "actor vault/v2 crashed handling 'leak'" },
      { level: 'warn', component: 'steward', event: 'actor.crashed', code: 'ERR_LISTENER_FAILED', errorCode: 'Error', msg: "a listener of 'actor.crashed' threw (the runtime went on)" },
      { level: 'warn', component: 'steward', event: 'dead.letter', type: 'vault', key: 'v2', messageType: 'touch', reason: 'stopped', msg: "dead letter: 'touch' to vault/v2 (stopped)" },
    ]);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });
});

describe('system.metrics()', () => {
  const systems: ActorSystem[] = [];
  afterEach(async () => {
    for (const system of systems.splice(0)) await system.shutdown();
  });

  it('counts actors by type, mailbox depths, timings, events and pool queues', async () => {
    const held: Array<() => void> = [];
    const pool = new InProcessPool({ name: 'media', concurrency: 1, gate: (complete) => held.push(complete) });
    const system = new ActorSystem({ persistence: new Persistence(new MemoryStore()), pools: { media: pool }, recordTimings: true });
    systems.push(system);
    await system.ref(Vault, 'idle').ask('store', { secret: SECRET });
    let release = () => {};
    const busy = system.ref(Vault, 'busy');
    busy.tell('hold', { until: new Promise<void>((resolve) => (release = resolve)) });
    for (let i = 0; i < 3; i++) busy.tell('touch', {});
    const runs = [1, 2, 3].map((n) => pool.run(echoTask, { n }));
    while (held.length < 1) await new Promise<void>((resolve) => setImmediate(resolve));

    const metrics = system.metrics();
    expect(metrics.actors).toEqual({ live: 2, byType: { vault: 2 } });
    expect(metrics.mailboxes).toEqual({ queued: 3, byType: { vault: 3 }, deepest: [{ type: 'vault', key: 'busy', depth: 3 }] });
    expect(metrics.pools).toEqual({ media: { queued: 2, running: 1, capacity: 1, utilization: 1 } });
    expect(metrics.turns.timed).toBe(true);
    expect(metrics.turns.durationMs.count).toBeGreaterThanOrEqual(1);
    expect(metrics.commits.durationMs.count).toBe(1);
    expect(metrics.commits.durationMs.buckets.at(-1)).toEqual({ le: Infinity, count: 1 });
    expect(JSON.stringify(metrics)).not.toContain(SECRET);

    release();
    while (held.length > 0 || runs.length > 0) {
      held.shift()?.();
      if (held.length === 0) await runs.shift();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(system.metrics().mailboxes.queued).toBe(0);
    expect(system.metrics().pools.media).toEqual({ queued: 0, running: 0, capacity: 1, utilization: 0 });
  });
});
