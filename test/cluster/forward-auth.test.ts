/**
 * The forwarding endpoint of a node with a `forwardSecret` takes only
 * forwards signed with it: nodes that share the secret forward as before; a
 * request unsigned, forged, stale or signed for another body is answered 401
 * `ERR_UNAUTHORIZED` before its body is parsed, and delivers nothing; a node
 * with another secret (or none) gets `ERR_UNAUTHORIZED` at once, its tells
 * become dead letters, and no secret shows in what it reports.
 * Real nodes in one process, each its own pool and HTTP endpoint.
 */
import { inspect } from 'node:util';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { ClusterNode } from '../../src/cluster/index.js';
import { signBody } from '../../src/http/index.js';
import type { RuntimeEvents } from '../../src/index.js';
import { PG_URL, skipPg } from '../persistence/pg-env.js';
import { Account, accountNodes } from './account-nodes.js';

const SECRET = 'forward-secret-0123456789abcdef';
const OTHER = 'another-secret-fedcba9876543210';

/** A forward as a node sends it: it would be delivered if its signature held. */
const forward = (key: string, amount: number) => JSON.stringify({ type: 'account', key, message: 'deposit', payload: { amount, by: 'eve' }, mode: 'ask', timeoutMs: 2_000 });

describe.skipIf(skipPg)('authenticated forwarding', () => {
  const { schema: schemaWithTables, start } = accountNodes();
  const post = async (node: ClusterNode, body: string, signature?: string) => {
    const answer = await request(`${node.address}/steward/forward`, { method: 'POST', body, headers: signature === undefined ? {} : { 'steward-signature': signature } });
    return { status: answer.statusCode, body: (await answer.body.json()) as { outcome: string; error?: { name: string; code: string; message: string } } };
  };

  it('two nodes with the same secret forward asks and tells as before', async () => {
    const schema = await schemaWithTables();
    const a = await start(schema, 'node-a', { forwardSecret: SECRET });
    const b = await start(schema, 'node-b', { forwardSecret: SECRET });
    expect(await b.ref(Account, 'acc-1').ask('deposit', { amount: 5, by: 'ann' })).toBe(5); // node-b owns acc-1
    expect(await a.ref(Account, 'acc-1').ask('deposit', { amount: 7, by: 'ann' })).toBe(12);
    await a.ref(Account, 'acc-1').tell('deposit', { amount: 1, by: 'ann' });
    a.system.ref(Account, 'acc-1').tell('deposit', { amount: 2, by: 'ann' });
    await expect.poll(() => a.ref(Account, 'acc-1').ask('balance', {}), { timeout: 5_000 }).toBe(15);
    expect(a.owned()).toEqual([]);
  });

  it('answers a forward unsigned, forged, stale or signed for another body 401 ERR_UNAUTHORIZED, and delivers nothing', async () => {
    const schema = await schemaWithTables();
    const b = await start(schema, 'node-b', { forwardSecret: SECRET });
    await b.ref(Account, 'acc-1').ask('deposit', { amount: 5, by: 'ann' });
    const body = forward('acc-1', 100);
    const fresh = forward('acc-2', 100); // an entity nobody holds yet: a delivery would take its lease
    const refusals = {
      unsigned: await post(b, body),
      malformed: await post(b, body, 't=1,v1=zz'),
      otherSecret: await post(b, body, signBody(OTHER, body, Date.now())),
      stale: await post(b, body, signBody(SECRET, body, Date.now() - 6 * 60_000)),
      otherBody: await post(b, body, signBody(SECRET, forward('acc-1', 1), Date.now())),
      unsignedFresh: await post(b, fresh),
      // Not even JSON, and unsigned: 401, not 400 — nothing is parsed before the signature holds.
      notJson: await post(b, '{"type": '),
    };
    for (const refusal of Object.values(refusals)) expect(refusal).toMatchObject({ status: 401, body: { outcome: 'error', error: { name: 'UnauthorizedError', code: 'ERR_UNAUTHORIZED' } } });
    expect(Object.fromEntries(Object.entries(refusals).map(([name, { body }]) => [name, body.error?.message]))).toMatchInlineSnapshot(`
      {
        "malformed": "Forwarded message refused: malformed steward-signature header.",
        "notJson": "Forwarded message refused: the delivery is not signed (no steward-signature header).",
        "otherBody": "Forwarded message refused: the signature does not match.",
        "otherSecret": "Forwarded message refused: the signature does not match.",
        "stale": "Forwarded message refused: the signature is outside the replay window (stale or replayed delivery).",
        "unsigned": "Forwarded message refused: the delivery is not signed (no steward-signature header).",
        "unsignedFresh": "Forwarded message refused: the delivery is not signed (no steward-signature header).",
      }
    `);
    expect(await b.ref(Account, 'acc-1').ask('balance', {})).toBe(5);
    expect(b.owned().map(({ key }) => key)).toEqual(['acc-1']);
    // The same request signed with the node's secret is delivered: what was refused was the signature alone.
    expect(await post(b, body, signBody(SECRET, body, b.clock.now()))).toEqual({ status: 200, body: { outcome: 'reply', reply: 105 } });
  });

  it('an ask to a node with another secret rejects ERR_UNAUTHORIZED at once, a tell becomes a dead letter, and neither secret shows', async () => {
    const schema = await schemaWithTables();
    const a = await start(schema, 'node-a', { forwardSecret: SECRET, askTimeoutMs: 20_000 });
    const b = await start(schema, 'node-b', { forwardSecret: OTHER });
    await b.ref(Account, 'acc-1').ask('deposit', { amount: 5, by: 'ann' });
    const deadLetters: Array<RuntimeEvents['dead.letter']> = [];
    a.system.events.on('dead.letter', (event) => deadLetters.push(event));
    const started = Date.now();
    const error = (await a.ref(Account, 'acc-1').ask('deposit', { amount: 1, by: 'ann' }).catch((e: unknown) => e)) as Error & { code: string };
    expect(Date.now() - started).toBeLessThan(5_000); // refused, not retried until the 20 s bound
    expect(error).toMatchObject({ name: 'UnauthorizedError', code: 'ERR_UNAUTHORIZED' });
    expect(error.message.replace(b.address, '<node-b>')).toMatchInlineSnapshot(`"The node at <node-b> did not take 'deposit' for account/acc-1, and nothing was delivered. It answered: Forwarded message refused: the signature does not match. Give every node the same forwardSecret, and keep their clocks within 5 minutes of each other."`);
    await expect(a.ref(Account, 'acc-1').tell('deposit', { amount: 1, by: 'ann' })).rejects.toMatchObject({ code: 'ERR_UNAUTHORIZED' });
    a.system.ref(Account, 'acc-1').tell('deposit', { amount: 1, by: 'ann' });
    await expect.poll(() => deadLetters, { timeout: 5_000 }).toEqual([{ type: 'account', key: 'acc-1', messageType: 'deposit', reason: 'unreachable' }]);
    expect(await b.ref(Account, 'acc-1').ask('balance', {})).toBe(5);
    const reported = [inspect(error), String(error.stack), JSON.stringify(deadLetters), inspect(a, { depth: 8 }), inspect(b, { depth: 8 })].join('\n');
    expect(reported).toContain('ERR_UNAUTHORIZED');
    expect(reported).not.toContain(SECRET);
    expect(reported).not.toContain(OTHER);
  });

  it('a node with a secret requires it of every sender; a node without one takes signed forwards too', async () => {
    const schema = await schemaWithTables();
    const open = await start(schema, 'node-open');
    const guarded = await start(schema, 'node-guarded', { forwardSecret: SECRET });
    await guarded.ref(Account, 'acc-1').ask('deposit', { amount: 5, by: 'ann' });
    await open.ref(Account, 'acc-2').ask('deposit', { amount: 3, by: 'ann' });
    const refused = (await open.ref(Account, 'acc-1').ask('deposit', { amount: 1, by: 'ann' }).catch((e: unknown) => e)) as Error;
    expect(refused).toMatchObject({ code: 'ERR_UNAUTHORIZED' });
    expect(refused.message.replace(guarded.address, '<node-guarded>')).toMatchInlineSnapshot(`"The node at <node-guarded> did not take 'deposit' for account/acc-1, and nothing was delivered. It answered: Forwarded message refused: the delivery is not signed (no steward-signature header). This node has no forwardSecret: give every node the same one."`);
    expect(await guarded.ref(Account, 'acc-2').ask('deposit', { amount: 1, by: 'ann' })).toBe(4);
    expect(await guarded.ref(Account, 'acc-1').ask('balance', {})).toBe(5);
  });

  it('reads the secret from STEWARD_FORWARD_SECRET when the option is absent, and refuses a short one without showing it', async () => {
    const schema = await schemaWithTables();
    process.env['STEWARD_FORWARD_SECRET'] = SECRET;
    try {
      const node = await start(schema, 'node-env');
      expect((await post(node, forward('acc-1', 1))).status).toBe(401);
      const body = forward('acc-1', 1);
      expect((await post(node, body, signBody(SECRET, body, Date.now()))).status).toBe(200);
    } finally {
      delete process.env['STEWARD_FORWARD_SECRET'];
    }
    const short = await ClusterNode.start({ connectionString: PG_URL, schema, actors: [Account], forwardSecret: 'hunter2' }).catch((e: unknown) => e);
    expect(short).toMatchObject({ name: 'InvalidConfigError', code: 'ERR_INVALID_CONFIG' });
    expect((short as Error).message).toMatchInlineSnapshot(`"ClusterNode.start needs a forwardSecret (or STEWARD_FORWARD_SECRET) of at least 16 characters: it signs every forward between nodes."`);
  });
});
