import { afterEach, describe, expect, it } from 'vitest';
import { COOKS, cookKey, createCollection, CookStateSchema, readCookCompletions, type CookState } from '../../../src/actors/cook/index.js';
import { MemoryStore } from '../../../src/persistence/index.js';
import { startRig, type Rig } from './helpers-real.js';

const open: Rig[] = [];
afterEach(async () => {
  for (const rig of open.splice(0).reverse()) await rig.close();
});

async function rig(options: Parameters<typeof startRig>[0] = {}): Promise<Rig> {
  const started = await startRig({ serviceOptions: { seed: 3, minDelayMs: 20, maxDelayMs: 60 }, cook: { pollIntervalMs: 50 }, ...options });
  open.push(started);
  return started;
}

/** The piece indices the cook counted (its completion records), sorted. */
const countedPieces = async (reader: Parameters<typeof readCookCompletions>[0], user = 'ann'): Promise<number[]> =>
  (await readCookCompletions(reader, cookKey('autumn', user)))
    .filter((completion) => completion.outcome === 'counted')
    .map((completion) => completion.pieceIndex)
    .sort((a, b) => a - b);

const durable = async (r: Rig, user = 'ann'): Promise<CookState | undefined> => {
  const record = await r.persistence.get(COOKS, cookKey('autumn', user));
  return record && CookStateSchema.parse(record.value);
};

describe('cook lifecycle on the real runtime', () => {
  it('starts again after a stop: a new run from persisted progress, each piece counted once', async () => {
    const r = await rig();
    await createCollection(r.persistence, { id: 'autumn', ownerId: 'ann', supply: 30 });
    const cook = r.cook('autumn', 'ann');
    await cook.ask('start', { requester: 'ann', maxConcurrent: 3 });
    await r.persistence.until(() => (r.persistence.latest.get(cookKey('autumn', 'ann'))?.generatedCount ?? 0) >= 5, () => 'no progress');
    const stopped = await cook.ask('stop', { requester: 'ann' });
    expect(stopped.status).toBe('stopped');
    const restarted = await cook.ask('start', { requester: 'ann', maxConcurrent: 3 });
    expect(restarted.status).toBe('running');
    expect(restarted.generatedCount).toBeGreaterThanOrEqual(stopped.generatedCount);
    await r.persistence.until(() => r.persistence.latest.get(cookKey('autumn', 'ann'))?.status === 'completed', () => 'not completed');
    const state = (await durable(r)) as CookState;
    expect(state.generatedCount).toBe(30);
    expect(await countedPieces(r.persistence)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('records completions of jobs that were running when it stopped, and schedules nothing new', async () => {
    const r = await rig({ serviceOptions: { seed: 4, minDelayMs: 80, maxDelayMs: 120, webhookDropRate: 0.5 } });
    await createCollection(r.persistence, { id: 'autumn', ownerId: 'ann', supply: 50 });
    const cook = r.cook('autumn', 'ann');
    await cook.ask('start', { requester: 'ann', maxConcurrent: 6 });
    // Six accepted by the service (running, not merely pending): what is in flight from here on is theirs to finish.
    await r.persistence.until(() => Object.keys((r.system.peekState(cook) as CookState | undefined)?.running ?? {}).length === 6, () => 'not 6 running');
    const stopped = await cook.ask('stop', { requester: 'ann' });
    const submissions = r.service.stats().submissions;
    // Half the webhooks are dropped: the late completions arrive by webhook or by the poll a stopped cook keeps up.
    await r.persistence.until(
      () => r.persistence.latest.get(cookKey('autumn', 'ann'))?.slots === 0,
      () => `still ${JSON.stringify(r.persistence.latest.get(cookKey('autumn', 'ann')))}`,
    );
    const after = await cook.ask('status', {});
    expect(after).toMatchObject({ status: 'stopped', running: 0, pending: 0 });
    expect(after.generatedCount).toBeGreaterThan(stopped.generatedCount);
    expect(r.service.stats().submissions).toBe(submissions);
  });

  it('stops promptly on shutdown: fewer than maxConcurrent submissions after it began, and the next start resumes', async () => {
    const store = new MemoryStore();
    const first = await rig({ store, closeStore: false, serviceOptions: { seed: 6, minDelayMs: 5, maxDelayMs: 15 } });
    await createCollection(first.persistence, { id: 'autumn', ownerId: 'ann', supply: 200 });
    await first.cook('autumn', 'ann').ask('start', { requester: 'ann', maxConcurrent: 4 });
    await first.persistence.until(() => (first.persistence.latest.get(cookKey('autumn', 'ann'))?.generatedCount ?? 0) >= 11, () => 'no progress');
    const submissions = first.service.stats().submissions;
    await first.system.shutdown({ deadlineMs: 2_000 });
    const during = first.service.stats().submissions - submissions;
    expect(during).toBeLessThan(4);
    const state = CookStateSchema.parse(store.read(COOKS, cookKey('autumn', 'ann'))?.value);
    expect(state.generatedCount).toBeLessThan(100);
    expect(state.status).toBe('running');

    const second = await rig({ store, serviceOptions: { seed: 7, minDelayMs: 5, maxDelayMs: 15 } });
    const resumed = await second.cook('autumn', 'ann').ask('status', {}); // activation reconciles what was pending
    expect(resumed.status).toBe('running');
    await second.persistence.until(() => second.persistence.latest.get(cookKey('autumn', 'ann'))?.status === 'completed', () => 'not completed');
    const done = CookStateSchema.parse(store.read(COOKS, cookKey('autumn', 'ann'))?.value);
    expect(done.generatedCount).toBe(200);
    expect(await countedPieces(store)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});
