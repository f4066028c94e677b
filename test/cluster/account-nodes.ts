/**
 * What the forwarding tests share: an account actor whose deposits write,
 * and cluster nodes for it in one process on a fresh schema, every node
 * closed and the schema dropped after each test.
 */
import { afterEach } from 'vitest';
import { z } from 'zod';
import { ClusterNode, type ClusterNodeOptions } from '../../src/cluster/index.js';
import { defineActor, ForbiddenError } from '../../src/index.js';
import { PgStore } from '../../src/persistence/index.js';
import { dropSchema, PG_URL, randomSchema } from '../persistence/pg-env.js';

/** Deposits persist the balance and answer it; mallory is refused with `ERR_FORBIDDEN`. */
export const Account = defineActor({
  name: 'account',
  messages: { deposit: z.object({ amount: z.number().int().positive(), by: z.string() }), balance: z.object({}) },
  initialState: () => ({ balance: 0 }),
  persistence: { collection: 'accounts' },
  handlers: {
    deposit: async ({ amount, by }, ctx) => {
      if (by === 'mallory') throw new ForbiddenError(`mallory may not deposit to ${ctx.key}`);
      ctx.state.balance += amount;
      await ctx.save();
      return ctx.state.balance;
    },
    balance: (_payload, ctx) => ctx.state.balance,
  },
});

/** Call in a `describe`: `schema()` makes a fresh schema with its tables; `start()` a node on it running {@link Account} (ttl 2 s). */
export function accountNodes() {
  const nodes: ClusterNode[] = [];
  const schemas: string[] = [];
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    await Promise.all(schemas.splice(0).map(dropSchema));
  });
  return {
    async schema(): Promise<string> {
      const schema = randomSchema();
      schemas.push(schema);
      await (await PgStore.open({ connectionString: PG_URL, schema, poolSize: 1 })).close();
      return schema;
    },
    async start(schema: string, nodeId: string, options: Partial<ClusterNodeOptions> = {}): Promise<ClusterNode> {
      const node = await ClusterNode.start({ connectionString: PG_URL, schema, nodeId, actors: [Account], leaseTtlMs: 2_000, ...options });
      nodes.push(node);
      return node;
    },
  };
}
