/**
 * The cook domain on PgStore: the real-runtime rig (loopback generation
 * service, HTTP submitter, signed webhooks) with PostgreSQL as its store,
 * the same invariants checked at every commit as on the embedded stores.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GenerationService } from '../../demo/generation-service/index.js';
import { COOKS, cookInvariantViolations, cookKey, createCollection, readCookCompletions, type CookState } from '../../src/actors/cook/index.js';
import { PgStore } from '../../src/persistence/index.js';
import { range, sorted, startRig, type Rig } from '../actors/cook/helpers-real.js';
import { TEST_WEBHOOK_SECRET } from '../actors/cook/service/helpers.js';
import { dropSchema, PG_URL, randomSchema, skipPg } from '../persistence/pg-env.js';

const isFinal = (status: string) => status === 'completed' || status === 'failed' || status === 'stopped';

describe.skipIf(skipPg)('cook on PgStore', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  const schemas: string[] = [];
  afterEach(async () => {
    for (const closable of open.splice(0).reverse()) await closable.close();
    await Promise.all(schemas.splice(0).map(dropSchema));
  });

  const rigOn = async (schema: string, service: GenerationService): Promise<Rig> => {
    const rig = await startRig({ store: await PgStore.open({ connectionString: PG_URL, schema, poolSize: 4 }), service, cook: { pollIntervalMs: 100 } });
    open.push(rig);
    return rig;
  };
  const untilFinal = (rig: Rig, key: string) =>
    rig.persistence.until(
      () => isFinal(rig.persistence.latest.get(key)?.status ?? 'idle'),
      () => `${key} is ${JSON.stringify(rig.persistence.latest.get(key))}`,
    );

  it('runs two cooks to completion with duplicated and dropped webhooks: every piece counted once, invariants held at every commit', async () => {
    const schema = randomSchema();
    schemas.push(schema);
    const service = new GenerationService({ webhookSecret: TEST_WEBHOOK_SECRET, seed: 9, minDelayMs: 5, maxDelayMs: 30, webhookDuplicateRate: 0.3, webhookDropRate: 0.1, syncCompletionRate: 0.1 });
    open.push(service);
    const TOTAL = 60;
    const rig = await rigOn(schema, service);
    await createCollection(rig.persistence, { id: 'autumn', ownerId: 'ann', supply: TOTAL });
    await createCollection(rig.persistence, { id: 'winter', ownerId: 'bob', supply: 30 });
    await rig.cook('autumn', 'ann').ask('start', { requester: 'ann', maxConcurrent: 4 });
    await rig.cook('winter', 'bob').ask('start', { requester: 'bob', maxConcurrent: 3 });
    await untilFinal(rig, cookKey('autumn', 'ann'));
    await untilFinal(rig, cookKey('winter', 'bob'));
    const autumn = rig.system.peekState(rig.cook('autumn', 'ann')) as CookState;
    expect(autumn).toMatchObject({ status: 'completed', generatedCount: TOTAL });
    const completions = await readCookCompletions(rig.persistence, cookKey('autumn', 'ann'));
    expect(sorted(completions.filter((c) => c.outcome === 'counted').map((c) => c.pieceIndex))).toEqual(range(TOTAL));
    expect((rig.system.peekState(rig.cook('winter', 'bob')) as CookState).generatedCount).toBe(30);
    expect(rig.persistence.violations).toEqual([]);
    expect(rig.persistence.statesChecked).toBeGreaterThan(0);
    // What PostgreSQL holds is what the actor acknowledged.
    const durable = (await rig.persistence.get<CookState>(COOKS, cookKey('autumn', 'ann')))?.value as CookState;
    expect(cookInvariantViolations(durable)).toEqual([]);
    expect(durable.generatedCount).toBe(TOTAL);
  });
});
