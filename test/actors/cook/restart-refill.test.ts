/*
 * A cook whose last save freed every slot and issued nothing must refill its
 * slots when it activates again. A graceful shutdown leaves exactly that
 * state: its drain hands the cook the completions already in its mailbox,
 * and a stopping cook counts them but issues nothing new. Before the fix,
 * activation only reconciled pending jobs: with none pending and none
 * running, no outcome would ever bring the next turn, and the cook sat
 * `running` forever ("no progress for 15000 ms").
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GenerationService } from '../../../demo/generation-service/index.js';
import { COOKS, cookInvariantViolations, cookJobId, cookKey, createCollection, readCookCompletions, type CookState } from '../../../src/actors/cook/index.js';
import type { PersistencePort } from '../../../src/index.js';
import { LowdbStore, type CommitResult, type WriteOp } from '../../../src/persistence/index.js';
import { PassThroughPersistence, range, sorted, startRig, type Rig } from './helpers-real.js';
import { TEST_WEBHOOK_SECRET } from './service/helpers.js';

/** Holds the first commit `matches` picks until `release()`: the turn that made it stays in hand meanwhile. */
class CommitGate extends PassThroughPersistence {
  readonly #release: Promise<void>;
  #open!: () => void;
  #armed = true;
  #onHeld!: () => void;
  /** Resolves once a commit is being held. */
  readonly held = new Promise<void>((resolve) => (this.#onHeld = resolve));

  constructor(
    inner: PersistencePort,
    private readonly matches: (batch: readonly WriteOp[]) => boolean,
  ) {
    super(inner);
    this.#release = new Promise((resolve) => (this.#open = resolve));
  }

  override async commit(batch: readonly WriteOp[], options?: Parameters<PersistencePort['commit']>[1]): Promise<CommitResult> {
    if (this.#armed && this.matches(batch)) {
      this.#armed = false;
      this.#onHeld();
      await this.#release;
    }
    return this.inner.commit(batch, options);
  }

  release(): void {
    this.#open();
  }
}

const KEY = cookKey('autumn', 'ann');
const TOTAL = 6;
const FIRST_JOB = cookJobId('autumn', 'ann', 0, 0);

describe('a running cook refills its slots when it activates', () => {
  const open: { close(): Promise<void> }[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const closable of open.splice(0).reverse()) await closable.close();
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('after a graceful shutdown whose drain freed every slot, a new system on the same lowdb directory completes the cook', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-cook-refill-'));
    dirs.push(dir);
    // Every completion by webhook, none dropped, no sync answers: the only way a slot frees is the webhook's tell.
    const service = new GenerationService({ webhookSecret: TEST_WEBHOOK_SECRET, seed: 5, minDelayMs: 5, maxDelayMs: 20 });
    open.push(service);
    // The commit that moves piece 0 to running (its submission succeeded): the cook is in that turn while piece 0 completes.
    let gate: CommitGate | undefined;
    const movesFirstJobToRunning = (batch: readonly WriteOp[]) =>
      batch.some((op) => op.op === 'put' && op.collection === COOKS && FIRST_JOB in ((op.value as CookState).running ?? {}));
    const first: Rig = await startRig({
      store: await LowdbStore.open({ dir }),
      service,
      cook: { pollIntervalMs: 60_000 },
      wrapPersistence: (port) => (gate = new CommitGate(port, movesFirstJobToRunning)),
    });
    open.push(first);
    await createCollection(first.persistence, { id: 'autumn', ownerId: 'ann', supply: TOTAL });
    await first.cook('autumn', 'ann').ask('start', { requester: 'ann', maxConcurrent: 1 });
    const held = gate as CommitGate;
    await held.held;
    // Piece 0 finishes at the service and its webhook is delivered: its pieceCompleted waits in the cook's mailbox.
    expect((await service.settled(FIRST_JOB))?.status).toBe('succeeded');
    const shutdown = first.system.shutdown({ deadlineMs: 5_000 });
    held.release();
    await shutdown;
    await first.close();
    expect(first.persistence.violations).toEqual([]);

    // What the drain left: piece 0 counted, its slot free, nothing issued in its place, still running.
    const store = await LowdbStore.open({ dir });
    const left = (await store.get<CookState>(COOKS, KEY))?.value as CookState;
    expect(left).toMatchObject({ status: 'running', generatedCount: 1, nextIndex: 1, total: TOTAL, pending: {}, running: {}, retries: [] });
    expect(cookInvariantViolations(left, await readCookCompletions(store, KEY))).toEqual([]);
    await store.close();

    const second = await startRig({ store: await LowdbStore.open({ dir }), service, cook: { pollIntervalMs: 60_000 } });
    open.push(second);
    expect((await second.cook('autumn', 'ann').ask('status', {})).status).toBe('running'); // activation, from the persisted state
    await second.persistence.until(
      () => second.persistence.latest.get(KEY)?.status === 'completed',
      () => `${KEY} is ${JSON.stringify(second.persistence.latest.get(KEY) ?? 'never committed since the restart')}`,
    );
    const completions = (await readCookCompletions(second.persistence, KEY)).filter((completion) => completion.outcome === 'counted');
    expect(sorted(completions.map((completion) => completion.pieceIndex))).toEqual(range(TOTAL));
    expect(second.persistence.violations).toEqual([]);
    expect(service.stats().jobsCreated).toBe(TOTAL);
  });
});
