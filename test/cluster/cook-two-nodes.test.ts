/**
 * The cook domain on two real node processes sharing one fresh PostgreSQL
 * schema: cooks for several users, every start sent to both nodes (the
 * second reaches the owner by forwarding), the generation service's webhooks
 * routed through whichever node receives them, and mid-run a SIGKILL of the
 * node that runs the reminder service. Nobody sends a message after the
 * kill: the survivor takes the reminder service over, the service's ticks
 * reach the dead node's cooks once their leases run out (activating each on
 * the survivor from the store), and every cook completes. The cook
 * invariants are checked at the end from the store alone: each piece counted
 * once, every index below the supply, completion.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { GenerationService } from '../../demo/generation-service/index.js';
import { COOKS, cookInvariantViolations, cookKey, CookStateSchema, createCollection, readCookCompletions } from '../../src/actors/cook/index.js';
import { PgStore } from '../../src/persistence/index.js';
import { range, sorted } from '../actors/cook/helpers-real.js';
import { TEST_WEBHOOK_SECRET } from '../actors/cook/service/helpers.js';
import { dropSchema, PG_URL, randomSchema, skipPg } from '../persistence/pg-env.js';
import { COOK_NODE_FIXTURE, NodeProcesses, type NodeProcess } from './node-processes.js';

const TTL_MS = 2_000;
const USERS = 6;
const SUPPLY = 40;
const MAX_CONCURRENT = 3;

describe.skipIf(skipPg)('cooks on two node processes sharing one PostgreSQL schema', { timeout: 180_000 }, () => {
  const nodes = new NodeProcesses();
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await nodes.killAll();
    for (const close of closers.splice(0).reverse()) await close();
  });

  it("SIGKILL of the reminder service's node mid-run: the survivor takes the service and the cooks over by their ticks alone, every cook completes, each piece counted once", async () => {
    const schema = randomSchema();
    closers.push(() => dropSchema(schema));
    const store = await PgStore.open({ connectionString: PG_URL, schema, poolSize: 2 }); // the schema exists before two nodes open it
    closers.push(() => store.close());
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    closers.push(() => pool.end());
    const service = new GenerationService({
      webhookSecret: TEST_WEBHOOK_SECRET,
      seed: 17,
      minDelayMs: 30,
      maxDelayMs: 80,
      webhookDuplicateRate: 0.2,
      webhookDropRate: 0.1,
      syncCompletionRate: 0.05,
    });
    closers.push(() => service.close());
    const { url: serviceUrl } = await service.start();
    const users = Array.from({ length: USERS }, (_, i) => ({ collectionId: `col-${i}`, userId: `user-${i}` }));
    for (const { collectionId, userId } of users) await createCollection(store, { id: collectionId, ownerId: userId, supply: SUPPLY });

    const t0 = performance.now();
    const marks: Record<string, number> = {};
    const mark = (name: string) => (marks[name] = Math.round(performance.now() - t0));
    const fixture = { path: COOK_NODE_FIXTURE, args: [serviceUrl, TEST_WEBHOOK_SECRET] };
    const [a, b] = (await Promise.all(['node-a', 'node-b'].map((id) => nodes.start(PG_URL, schema, id, TTL_MS, fixture)))) as [NodeProcess, NodeProcess];
    // Even users start on node-a first, odd ones on node-b: the first start takes the lease; the same start sent to the other node is forwarded to it.
    const answers = await Promise.all(
      users.map(async ({ collectionId, userId }, i) => {
        const key = cookKey(collectionId, userId);
        const lines: string[] = [];
        for (const node of i % 2 === 0 ? [a, b] : [b, a]) {
          const from = node.lines.length;
          node.send(`start ${collectionId} ${userId} ${MAX_CONCURRENT}`);
          lines.push(await node.line(`start ${key} `, from));
        }
        return lines;
      }),
    );
    expect(answers).toEqual(users.map(({ collectionId, userId }) => [0, 1].map(() => `start ${cookKey(collectionId, userId)} ok running`)));
    mark('started');
    const owners = async () =>
      new Map(
        (await pool.query<{ actor_key: string; node_id: string | null; token: string }>(`SELECT actor_key, node_id, token FROM "${schema}".steward_leases WHERE actor_type = 'cook'`)).rows.map(
          (row) => [row.actor_key, { node: row.node_id, token: Number(row.token) }],
        ),
      );
    const before = await owners();
    const serviceLease = await pool.query<{ node_id: string }>(`SELECT node_id FROM "${schema}".steward_leases WHERE actor_type = 'steward.reminders'`);
    const victimId = serviceLease.rows[0]?.node_id;
    expect(['node-a', 'node-b']).toContain(victimId);
    const [victim, survivor] = victimId === 'node-a' ? [a, b] : [b, a];
    const onVictim = users.map(({ collectionId, userId }) => cookKey(collectionId, userId)).filter((key) => before.get(key)?.node === victimId);
    // Half the cooks, unless a lease ran out under load before now and the cook moved (the other node's forwarded start then took it).
    expect(onVictim.length).toBeGreaterThan(0);

    // Mid-run: the victim's cooks have made durable progress, and not all of them have finished.
    const durable = async (key: string) => {
      const record = await store.get(COOKS, key);
      return record && CookStateSchema.parse(record.value);
    };
    for (let polls = 0; ; polls++) {
      const states = await Promise.all(onVictim.map(durable));
      const progress = states.reduce((sum, state) => sum + (state?.generatedCount ?? 0), 0);
      if (progress >= 5 * onVictim.length && states.some((state) => state?.status === 'running')) break;
      if (polls > 2_000) {
        const leases = JSON.stringify([...(await owners()).entries()]);
        const lost = [...a.lines, ...b.lines].filter((line) => line.startsWith('deactivated '));
        throw new Error(`no progress on ${victimId}: ${JSON.stringify(states)}; leases ${leases}; ${lost.join('; ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    mark('progress');
    victim.child.kill('SIGKILL');
    await victim.exited;
    const atKill = await Promise.all(onVictim.map(durable));
    const unfinishedAtKill = atKill.filter((state) => state?.status === 'running').length;
    expect(unfinishedAtKill).toBeGreaterThan(0);

    // No client asks anything from here on: only the store is read, until every cook has completed (at most 60 s).
    const keys = users.map(({ collectionId, userId }) => cookKey(collectionId, userId));
    const until = performance.now() + 60_000;
    let unfinished = keys;
    while (unfinished.length > 0 && performance.now() < until) {
      const states = await Promise.all(unfinished.map(durable));
      unfinished = unfinished.filter((_key, i) => states[i]?.status !== 'completed');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    mark('completed');
    expect(await Promise.all(unfinished.map(async (key) => `${key}: ${JSON.stringify(await durable(key))}`))).toEqual([]);
    expect(survivor.errors).toEqual([]);

    // From the store alone: every cook completed, each piece counted once, every index below the supply.
    let generated = 0;
    for (const { collectionId, userId } of users) {
      const key = cookKey(collectionId, userId);
      const state = await durable(key);
      const completions = await readCookCompletions(store, key);
      expect(cookInvariantViolations(state, completions), key).toEqual([]);
      expect(state, key).toMatchObject({ status: 'completed', total: SUPPLY, generatedCount: SUPPLY, pending: {}, running: {} });
      const counted = completions.filter((completion) => completion.outcome === 'counted');
      expect(sorted(counted.map((completion) => completion.pieceIndex)), key).toEqual(range(SUPPLY));
      expect(new Set(counted.map((completion) => completion.jobId)).size, key).toBe(SUPPLY);
      generated += state?.generatedCount ?? 0;
    }
    // The victim's cooks moved to the survivor under a larger token, and so did the reminder service.
    const after = await owners();
    const survivorId = victimId === 'node-a' ? 'node-b' : 'node-a';
    for (const key of onVictim) {
      expect(after.get(key)?.node, key).toBe(survivorId);
      expect(after.get(key)?.token ?? 0, key).toBeGreaterThan(before.get(key)?.token ?? Infinity);
    }
    const serviceAfter = await pool.query<{ node_id: string }>(`SELECT node_id FROM "${schema}".steward_leases WHERE actor_type = 'steward.reminders'`);
    expect(serviceAfter.rows.map((row) => row.node_id)).toEqual([survivorId]);
    const stats = service.stats();
    const deactivations = [...a.lines, ...b.lines].filter((line) => line.startsWith('deactivated cook '));
    expect(generated).toBeLessThanOrEqual(stats.jobsSucceeded);
    console.log(
      `2 nodes, ${USERS} cooks x ${SUPPLY}: ${victimId} (the reminder service's node) killed with ${unfinishedAtKill} of its ${onVictim.length} cooks unfinished; ${generated} pieces counted, ${stats.jobsSucceeded} jobs succeeded at the service, ${stats.webhooksDuplicated} webhooks duplicated, ${stats.webhooksDropped} dropped, ${stats.webhookErrors} failed; ${deactivations.length} cook leases lost before or besides the kill; ms since the nodes were spawned: ${JSON.stringify(marks)}`,
    );
  });
});
