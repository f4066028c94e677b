import { afterEach, describe, expect, it } from 'vitest';
import {
  COOK_COMPLETIONS,
  COOKS,
  cookInvariantViolations,
  cookKey,
  createCollection,
  createCookActors,
  readCookCompletions,
  type CookState,
  type Submitter,
} from '../../../src/actors/cook/index.js';
import { ActorSystem } from '../../../src/index.js';
import { MemoryStore, Persistence, type CommitResult, type WriteOp } from '../../../src/persistence/index.js';
import { PassThroughPersistence } from './helpers-real.js';

/** A service that finishes every job as it accepts it (the synchronous completion path): one save per piece. */
const instantSubmitter: Submitter = {
  submit: async (job) => ({ jobId: job.jobId, status: 'succeeded', result: { pieceIndex: job.pieceIndex, uri: `gen://${job.jobId}` } }),
  query: async () => undefined,
};

/** Passes everything through and notes, per commit that writes the cook, its size and the cook's progress. */
class SizedPersistence extends PassThroughPersistence {
  readonly saves: { generatedCount: number; bytes: number; status: string }[] = [];
  override commit(batch: readonly WriteOp[]): Promise<CommitResult> {
    const cook = batch.find((op) => op.op === 'put' && op.collection === COOKS);
    if (cook?.op === 'put') {
      const state = cook.value as CookState;
      this.saves.push({ generatedCount: state.generatedCount, bytes: Buffer.byteLength(JSON.stringify(batch)), status: state.status });
    }
    return this.inner.commit(batch);
  }
}

const KEY = cookKey('autumn', 'ann');

describe('cook completions: child records, counts in the state', () => {
  const systems: ActorSystem[] = [];
  afterEach(async () => {
    for (const system of systems.splice(0)) await system.shutdown({ deadlineMs: 1_000 });
  });

  async function cookOn(store: MemoryStore, supply: number) {
    const persistence = new SizedPersistence(new Persistence(store, { closeStore: false }));
    const system = new ActorSystem({ persistence });
    systems.push(system);
    const { Cook } = createCookActors({ submitter: instantSubmitter, pollIntervalMs: 60_000 });
    if (!store.read('collections', 'autumn')) await createCollection(persistence, { id: 'autumn', ownerId: 'ann', supply });
    return { persistence, system, cook: system.ref(Cook, KEY) };
  }

  async function untilStatus(persistence: SizedPersistence, status: string): Promise<void> {
    for (let turn = 0; persistence.saves.at(-1)?.status !== status; turn++) {
      if (turn > 100_000) throw new Error(`not ${status}: ${JSON.stringify(persistence.saves.at(-1))}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  it("keeps a save's size flat as the cook progresses: the bytes written at piece 600 are those written at piece 10", async () => {
    const store = new MemoryStore();
    const { persistence, cook } = await cookOn(store, 600);
    await cook.ask('start', { requester: 'ann', maxConcurrent: 3 });
    await untilStatus(persistence, 'completed');
    const at = (count: number) => persistence.saves.find((save) => save.generatedCount === count)?.bytes as number;
    // Piece 600 is the last: a shorter status word ('completed' for 'running') at most.
    expect(at(600) / at(10)).toBeLessThanOrEqual(1.05);
    const completions = await readCookCompletions(persistence, KEY);
    expect(completions).toHaveLength(600);
    expect(new Set(completions.map((completion) => completion.pieceIndex)).size).toBe(600);
    expect(store.collections().find((collection) => collection.name === COOK_COMPLETIONS)?.records).toBe(600);
  });

  it('absorbs a late report of a counted job after a restart: its record, not the state, says it was counted', async () => {
    const store = new MemoryStore();
    const first = await cookOn(store, 5);
    await first.cook.ask('start', { requester: 'ann', maxConcurrent: 2 });
    await untilStatus(first.persistence, 'completed');
    await first.system.shutdown();
    const [counted] = await readCookCompletions(store, KEY);

    const second = await cookOn(store, 5);
    second.cook.tell('pieceCompleted', { jobId: counted?.jobId as string, success: true, source: 'webhook' });
    const status = await second.cook.ask('status', {});
    expect(status).toMatchObject({ status: 'completed', generatedCount: 5 });
    expect(status.stats.duplicatesAbsorbed).toBe(1);
    const state = store.read<CookState>(COOKS, KEY)?.value as CookState;
    expect(cookInvariantViolations(state, await readCookCompletions(store, KEY))).toEqual([]);
  });

  it('checks the state against its completion records: a job counted twice, a counted piece issued again', () => {
    const state: CookState = {
      collectionId: 'autumn',
      userId: 'ann',
      status: 'running',
      startedBy: 'ann',
      total: 5,
      maxConcurrent: 2,
      nextIndex: 3,
      generatedCount: 2,
      pending: {},
      running: { 'autumn~ann~1~0': { pieceIndex: 1, submitFailures: 0 } },
      retries: [],
      failureReason: null,
      completionNote: null,
      stats: { duplicatesAbsorbed: 0, submitRetries: 0, jobFailures: 0, completionsBySource: { sync: 2, webhook: 0, poller: 0 } },
    };
    expect(cookInvariantViolations(state)).toEqual([]);
    expect(cookInvariantViolations(state, [{ pieceIndex: 0, outcome: 'counted' }])).toEqual(['generatedCount 2 != 1 counted completions']);
    expect(
      cookInvariantViolations(state, [
        { pieceIndex: 0, outcome: 'counted' },
        { pieceIndex: 1, outcome: 'counted' },
      ]),
    ).toEqual(['a piece index is issued more than once: 0,1,1']);
    expect(
      cookInvariantViolations(state, [
        { pieceIndex: 0, outcome: 'counted' },
        { pieceIndex: 2, outcome: 'counted' },
        { pieceIndex: 1, outcome: 'abandoned' },
      ]),
    ).toEqual([]);
  });
});
