/**
 * Attack on the hand-off of a lost entity's queue, on real nodes (two
 * ClusterNodes in one process on PostgreSQL): an actor with a deep mailbox
 * loses its lease mid-stream to another node; what it had queued must reach
 * the new owner once each, in the order sent.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ClusterNode, Leases, PgLeaseTable } from '../../src/cluster/index.js';
import { defineActor } from '../../src/index.js';
import { PgStore } from '../../src/persistence/index.js';
import { dropSchema, PG_URL, randomSchema, skipPg } from '../persistence/pg-env.js';
import { alarmActor } from './cluster-actors.js';

/** Appends slowly (each append durable before the next), so that a burst of tells stays queued. */
const Tape = defineActor({
  name: 'tape',
  messages: { append: z.object({ n: z.number().int() }), entries: z.object({}) },
  initialState: () => ({ entries: [] as number[] }),
  persistence: { collection: 'tapes' },
  handlers: {
    append: async ({ n }, ctx) => {
      ctx.state.entries.push(n);
      await new Promise((resolve) => setTimeout(resolve, 3));
      await ctx.save();
    },
    entries: (_payload, ctx) => ctx.state.entries,
  },
});

const COUNT = 100;

/** Rings itself through a durable reminder, keeping each firing's id. */
const Alarm = alarmActor((firingId) => firingId);

describe.skipIf(skipPg)('the hand-off of a queue under attack', () => {
  const nodes: ClusterNode[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('an actor whose lease is taken over with a deep queue: the new owner gets what was queued once each, in order', async () => {
    const schema = randomSchema();
    closers.push(() => dropSchema(schema));
    await (await PgStore.open({ connectionString: PG_URL, schema, poolSize: 1 })).close();
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    closers.push(() => pool.end());
    const start = async (nodeId: string) => {
      const node = await ClusterNode.start({ connectionString: PG_URL, schema, nodeId, actors: [Tape], leaseTtlMs: 2_000, askTimeoutMs: 10_000 });
      nodes.push(node);
      return node;
    };
    const a = await start('node-a');
    const b = await start('node-b');
    const deactivated: string[] = [];
    a.system.events.on('actor.deactivated', ({ key, code }) => deactivated.push(`${key} ${code}`));
    const crashed: string[] = [];
    a.system.events.on('actor.crashed', ({ messageType, error }) => crashed.push(`${messageType} ${(error as { code?: string }).code ?? ''}`));
    const deadLetters: string[] = [];
    a.system.events.on('dead.letter', ({ reason }) => deadLetters.push(reason));
    for (let n = 1; n <= COUNT; n++) a.system.ref(Tape, 't-1').tell('append', { n }); // node-a takes t-1 and queues them all
    const durable = async () => ((await a.store.get<{ entries: number[] }>('tapes', 't-1'))?.value.entries ?? []).length;
    await expect.poll(durable, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(10);
    // node-a's lease runs out by PostgreSQL's clock (as if node-a had been frozen), and node-b takes t-1 over mid-stream.
    await pool.query(`UPDATE "${schema}".steward_leases SET expires_at = now() WHERE actor_type = 'tape' AND actor_key = 't-1'`);
    await b.ref(Tape, 't-1').ask('entries', {}); // node-b takes it, unless node-a's renewal noticed first and took it again
    await expect.poll(() => deactivated.length, { timeout: 10_000 }).toBe(1);
    // The messages node-a had queued reach node-b; the end of the stream marks when they are all in.
    a.system.ref(Tape, 't-1').tell('append', { n: COUNT + 1 });
    await expect.poll(async () => (await b.ref(Tape, 't-1').ask('entries', {})).at(-1), { timeout: 15_000 }).toBe(COUNT + 1);
    const entries = await b.ref(Tape, 't-1').ask('entries', {});
    const missing = Array.from({ length: COUNT + 1 }, (_, i) => i + 1).filter((n) => !entries.includes(n));
    console.log(`hand-off: ${deactivated.join(', ')}; ${entries.length} entries, missing ${JSON.stringify(missing)}, dead letters ${JSON.stringify(deadLetters)}, crashed ${JSON.stringify(crashed)}`);
    expect(new Set(entries).size).toBe(entries.length); // none handled twice
    expect([...entries].sort((x, y) => x - y)).toEqual(entries); // in the order sent
    // At most the one in hand when its write was fenced: a tell is not resent (reported as the turn's crash, ERR_FENCED).
    expect(missing.length).toBeLessThanOrEqual(crashed.filter((line) => line === 'append ERR_FENCED').length);
  }, 40_000);

  it("a reminder set while the service's node is gone, its lease outliving every wake: the watch takes the service over and it fires once", async () => {
    const schema = randomSchema();
    closers.push(() => dropSchema(schema));
    await (await PgStore.open({ connectionString: PG_URL, schema, poolSize: 1 })).close();
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    closers.push(() => pool.end());
    // The service's node died holding its lease (no address: nobody can reach it), for longer than any wake tell waits.
    const dead = new Leases({ table: new PgLeaseTable({ pool, schema }), node: 'ghost', ttlMs: 3_000 });
    expect(await dead.acquire('steward.reminders', 'service')).toMatchObject({ held: true });
    const b = await ClusterNode.start({
      connectionString: PG_URL,
      schema,
      nodeId: 'node-b',
      actors: [Alarm],
      leaseTtlMs: 1_000,
      askTimeoutMs: 500,
      system: { reminders: { actors: [Alarm], retryMs: 50 } },
    });
    nodes.push(b);
    const unreachable: string[] = [];
    b.system.events.on('dead.letter', ({ type, messageType, reason }) => void (reason === 'unreachable' && unreachable.push(`${type} ${messageType}`)));
    await b.ref(Alarm, 'x-1').ask('set', { afterMs: 100 }); // wakes the service: that tell, and the next watches, find the ghost's lease
    await expect.poll(() => unreachable.length, { timeout: 5_000 }).toBeGreaterThan(0);
    await expect.poll(() => b.ref(Alarm, 'x-1').ask('rings', {}), { timeout: 10_000 }).toHaveLength(1);
    expect(b.owned().map(({ type }) => type).sort()).toEqual(['alarm', 'steward.reminders']);
    console.log(`reminder after a takeover: wakes dead-lettered meanwhile ${JSON.stringify(unreachable)}`);
  }, 30_000);
});
