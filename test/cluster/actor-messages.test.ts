/**
 * Messages an actor sends find their owner too: `ctx.ref` and the node's
 * own `system.ref` reach an entity another node owns (forwarded, answered,
 * tells kept in order), and durable reminders fire on whichever node owns
 * their target, also after the node running the reminder service is gone.
 * Two nodes in one process, each its own pool, leases and HTTP endpoint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ClusterNode } from '../../src/cluster/index.js';
import { defineActor } from '../../src/index.js';
import { PgStore } from '../../src/persistence/index.js';
import { dropSchema, PG_URL, randomSchema, skipPg } from '../persistence/pg-env.js';
import { alarmActor, Ledger } from './cluster-actors.js';

/** Sends to ledgers from inside its own turns: the `ctx.ref` path. */
const Clerk = defineActor({
  name: 'clerk',
  messages: { relay: z.object({ ledger: z.string(), n: z.number().int() }), burst: z.object({ ledger: z.string(), count: z.number().int() }) },
  initialState: () => ({}),
  handlers: {
    relay: ({ ledger, n }, ctx) => ctx.ref(Ledger, ledger).ask('append', { n }),
    burst: ({ ledger, count }, ctx) => {
      for (let n = 1; n <= count; n++) ctx.ref(Ledger, ledger).tell('append', { n });
    },
  },
});

/** Rings itself through a durable reminder, naming the node that handled each ring. */
const Alarm = alarmActor((_firingId, key) => nodeOf(key));

/** Which node holds the alarm's lease right now (each node registers its own lookup). */
const holders = new Map<string, ClusterNode>();
function nodeOf(key: string): string {
  for (const [id, node] of holders) if (node.owned().some((lease) => lease.type === 'alarm' && lease.key === key)) return id;
  return 'none';
}

describe.skipIf(skipPg)('actor messages across nodes', () => {
  const nodes: ClusterNode[] = [];
  const schemas: string[] = [];
  afterEach(async () => {
    holders.clear();
    for (const node of nodes.splice(0)) await node.close();
    await Promise.all(schemas.splice(0).map(dropSchema));
  });
  const start = async (schema: string, nodeId: string, reminders = false) => {
    const node = await ClusterNode.start({
      connectionString: PG_URL,
      schema,
      nodeId,
      actors: [Ledger, Clerk, Alarm],
      leaseTtlMs: 1_000,
      ...(reminders ? { system: { reminders: { actors: [Alarm], retryMs: 50 } } } : {}),
    });
    nodes.push(node);
    holders.set(nodeId, node);
    return node;
  };
  const schemaWithTables = async () => {
    const schema = randomSchema();
    schemas.push(schema);
    await (await PgStore.open({ connectionString: PG_URL, schema, poolSize: 1 })).close();
    return schema;
  };
  /** node-a and node-b on a fresh schema, without reminders. */
  const twoNodes = async () => {
    const schema = await schemaWithTables();
    return { a: await start(schema, 'node-a'), b: await start(schema, 'node-b') };
  };

  it("an actor's ask to an entity another node owns is forwarded and answered (ctx.ref)", async () => {
    const { a, b } = await twoNodes();
    expect(await b.ref(Ledger, 'l-1').ask('append', { n: 10 })).toBe(1); // node-b owns l-1
    await a.ref(Clerk, 'c-1').ask('relay', { ledger: 'l-1', n: 11 }); // the clerk lives on node-a (free lease, taken where asked)
    expect(a.owned().map(({ type }) => type)).toEqual(['clerk']);
    expect(await a.ref(Clerk, 'c-1').ask('relay', { ledger: 'l-1', n: 12 })).toBe(3);
    expect(await b.ref(Ledger, 'l-1').ask('entries', {})).toEqual([10, 11, 12]);
    expect(b.owned().map(({ type }) => type)).toEqual(['ledger']);
  });

  it('tells from one actor to an entity on another node arrive once each, in the order sent', async () => {
    const { a, b } = await twoNodes();
    await b.ref(Ledger, 'l-2').ask('append', { n: 0 });
    await a.ref(Clerk, 'c-2').ask('burst', { ledger: 'l-2', count: 40 });
    const expected = [0, ...Array.from({ length: 40 }, (_, i) => i + 1)];
    await expect.poll(() => b.ref(Ledger, 'l-2').ask('entries', {}), { timeout: 10_000 }).toEqual(expected);
    expect(a.owned().map(({ type }) => type)).toEqual(['clerk']);
  });

  it("the node's own system refs find the owner as well", async () => {
    const { a, b } = await twoNodes();
    await b.ref(Ledger, 'l-3').ask('append', { n: 1 });
    expect(await a.system.ref(Ledger, 'l-3').ask('append', { n: 2 })).toBe(2);
    a.system.ref(Ledger, 'l-3').tell('append', { n: 3 });
    await expect.poll(() => b.ref(Ledger, 'l-3').ask('entries', {}), { timeout: 5_000 }).toEqual([1, 2, 3]);
    expect(a.system.liveActors).toBe(0);
  });

  it('a reminder set on one node fires on the node that owns its actor, wherever the reminder service runs', async () => {
    const schema = await schemaWithTables();
    const a = await start(schema, 'node-a', true); // starts first: its reminder service takes the service's lease
    await expect.poll(() => a.owned().some(({ type }) => type === 'steward.reminders'), { timeout: 5_000 }).toBe(true);
    const b = await start(schema, 'node-b', true);
    for (const key of ['x-1', 'x-2', 'x-3']) await b.ref(Alarm, key).ask('set', { afterMs: 200 });
    expect(b.owned().filter(({ type }) => type === 'alarm')).toHaveLength(3);
    for (const key of ['x-1', 'x-2', 'x-3']) await expect.poll(() => b.ref(Alarm, key).ask('rings', {}), { timeout: 5_000 }).toEqual(['node-b']);
    expect(a.owned().map(({ type }) => type)).toEqual(['steward.reminders']);
  });

  it("when the reminder service's node is gone, a surviving node takes the service over and fires what is due", async () => {
    const schema = await schemaWithTables();
    const a = await start(schema, 'node-a', true);
    await expect.poll(() => a.owned().some(({ type }) => type === 'steward.reminders'), { timeout: 5_000 }).toBe(true);
    const b = await start(schema, 'node-b', true);
    await b.ref(Alarm, 'y-1').ask('set', { afterMs: 1_500 });
    holders.delete('node-a');
    await nodes.splice(nodes.indexOf(a), 1)[0]?.close(); // releases the service's lease: node-b's next look takes it
    await expect.poll(() => b.ref(Alarm, 'y-1').ask('rings', {}), { timeout: 10_000 }).toEqual(['node-b']);
    expect(b.owned().map(({ type }) => type).sort()).toEqual(['alarm', 'steward.reminders']);
  });
});
