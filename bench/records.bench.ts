/**
 * Durable time and owned records: reminders fired per second with 100,000
 * pending reminders all due in the same second (lowdb, fsynced commits),
 * against the same firings from in-memory timers; one page of 100 from a
 * 1,000,000-record indexed collection, against filtering and sorting the
 * collection for the same page; the bytes a cook journals per save at piece
 * 10,000 against piece 10 (its completions are child records).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { BenchGroup } from './harness.js';
import { collectGarbage, percentile } from './harness.js';
import { ActorSystem, defineActor, realRandom, reminderFiring } from '../src/index.js';
import type { StoredRecord, WriteOp } from '../src/persistence/index.js';
import { LowdbStore, MemoryStore, Persistence } from '../src/persistence/index.js';
import { remindOp } from '../src/runtime/reminders/reminder-record.js';
import { COOKS, cookKey, createCollection, createCookActors, type CookState, type Submitter } from '../src/actors/cook/index.js';

const REMINDERS = 100_000;
const RECORDS = 1_000_000;
const QUERIES = 2_000;

let handled = 0;
const Target = defineActor({
  name: 'target',
  messages: { ping: z.object({ firing: reminderFiring }) },
  initialState: (_key: string) => ({}),
  handlers: {
    ping: () => {
      handled += 1;
    },
  },
});

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seeds 100,000 reminders due within one second from `dueFrom`, straight into the store. */
async function seedReminders(store: LowdbStore, dueFrom: number): Promise<void> {
  for (let start = 0; start < REMINDERS; start += 2_000) {
    const batch: WriteOp[] = [];
    for (let i = start; i < start + 2_000; i++) {
      batch.push(remindOp({ type: 'target', key: `t${i}` }, 'ping', { at: dueFrom + (i % 1_000) }, { type: 'ping', payload: {} }, 0, realRandom).op);
    }
    await store.commit(batch);
  }
  await store.compact();
}

async function remindersPerSecond(): Promise<{ durable: number; timers: number; heapMb: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-bench-records-'));
  try {
    const store = await LowdbStore.open({ dir });
    const dueFrom = Date.now() + 3_000;
    await seedReminders(store, dueFrom);
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    handled = 0;
    const system = new ActorSystem({ persistence: new Persistence(store), reminders: { actors: [Target], maxSleepMs: 1_000 } });
    await delay(500);
    collectGarbage();
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
    await delay(Math.max(0, dueFrom - Date.now()));
    const started = performance.now();
    // Done when every reminder is advanced durably (deleted: they are one-shot), not merely handled.
    while (store.collections().some((c) => c.name === 'steward.reminders')) await delay(5);
    const seconds = (performance.now() - started) / 1000;
    if (handled < REMINDERS) throw new Error(`only ${handled} of ${REMINDERS} reminders were handled`);
    await system.shutdown();

    // Baseline: the same firings from in-memory timers (ctx.startTimer), nothing durable.
    handled = 0;
    const Timed = defineActor({
      name: 'timed',
      messages: { arm: z.object({ at: z.number() }), ping: z.object({}) },
      initialState: (_key: string) => ({}),
      handlers: {
        arm: ({ at }, ctx) => ctx.startTimer('ping', at - ctx.clock.now(), { type: 'ping', payload: {} }),
        ping: () => {
          handled += 1;
        },
      },
    });
    const plain = new ActorSystem();
    const timedFrom = Date.now() + 2_000;
    for (let i = 0; i < REMINDERS; i++) plain.ref(Timed, `t${i}`).tell('arm', { at: timedFrom + (i % 1_000) });
    await delay(Math.max(0, timedFrom - Date.now()));
    const timedStart = performance.now();
    while (handled < REMINDERS) await delay(5);
    const timedSeconds = (performance.now() - timedStart) / 1000;
    await plain.shutdown();
    return { durable: REMINDERS / seconds, timers: REMINDERS / timedSeconds, heapMb };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Job {
  readonly queue: string;
  readonly status: string;
  readonly runAt: number;
}
const QUEUES = Array.from({ length: 10 }, (_, i) => `q${i}`);
const STATUSES = ['queued', 'running', 'completed'];

async function queryPage(): Promise<{ p50: number; mean: number; scanMs: number }> {
  const store = new MemoryStore();
  await store.defineIndex('jobs', {
    name: 'by-queue',
    fields: [
      { name: 'queue', type: 'string' },
      { name: 'status', type: 'string' },
      { name: 'runAt', type: 'number' },
    ],
  });
  let seed = 1;
  const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  for (let start = 0; start < RECORDS; start += 10_000) {
    const batch: WriteOp[] = [];
    for (let i = start; i < start + 10_000; i++) {
      const value: Job = { queue: QUEUES[i % 10] as string, status: STATUSES[Math.floor(random() * 3)] as string, runAt: Math.floor(random() * 1e9) };
      batch.push({ op: 'put', collection: 'jobs', key: `job-${i}`, value });
    }
    await store.commit(batch);
  }
  // Warm-up: the first pages after a million inserts pay for JIT and the heap settling, not for the index.
  for (let i = 0; i < QUERIES; i++) await store.queryIndex<Job>('jobs', 'by-queue', { eq: [QUEUES[i % 10] as string, 'queued'], gte: Math.floor(random() * 9e8), limit: 100 });
  collectGarbage();
  const samples: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const query = { eq: [QUEUES[i % 10] as string, 'queued'], gte: Math.floor(random() * 9e8), limit: 100 };
    const t = performance.now();
    const page = await store.queryIndex<Job>('jobs', 'by-queue', query);
    samples.push((performance.now() - t) * 1000);
    if (page.records.length !== 100) throw new Error(`short page: ${page.records.length}`);
  }
  // Baseline: the same page by reading the collection, filtering and sorting (what a store without an index does).
  const scans: number[] = [];
  for (let i = 0; i < 3; i++) {
    const gte = Math.floor(random() * 9e8);
    const t = performance.now();
    const all = await store.query<Job>('jobs');
    const page = all
      .filter((r: StoredRecord<Job>) => r.value.queue === 'q3' && r.value.status === 'queued' && r.value.runAt >= gte)
      .sort((a, b) => a.value.runAt - b.value.runAt || (a.key < b.key ? -1 : 1))
      .slice(0, 100);
    scans.push(performance.now() - t);
    if (page.length !== 100) throw new Error('short scan page');
  }
  await store.close();
  return { p50: percentile(samples, 50), mean: samples.reduce((a, b) => a + b, 0) / samples.length, scanMs: percentile(scans, 50) };
}

const COOK_PIECES = 10_000;

/**
 * One cook of 10,000 pieces (and a few more, so every slot is still in use
 * at piece 10,000, as at piece 10) on lowdb (on tmpfs where there is one: the
 * figure is bytes, not time), against a service that finishes each job as it
 * accepts it, so every piece is one save. Each commit's journal growth is
 * noted with the cook's progress.
 */
async function cookSaveBytes(): Promise<{ at10: number; atEnd: number; saves: number }> {
  const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'steward-bench-cook-'));
  try {
    const store = await LowdbStore.open({ dir });
    const saves = new Map<number, number>();
    const measured = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'commit') {
          const value = Reflect.get(target, property, receiver) as unknown;
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        }
        return async (batch: readonly WriteOp[]) => {
          const before = target.stats;
          const result = await target.commit(batch);
          const after = target.stats;
          const cook = batch.find((op) => op.op === 'put' && op.collection === COOKS);
          // A journal started by the commit (rotation) has no before to compare with.
          if (cook?.op === 'put' && after.journals === before.journals) saves.set((cook.value as CookState).generatedCount, after.journalBytes - before.journalBytes);
          return result;
        };
      },
    });
    const submitter: Submitter = {
      submit: async (job) => ({ jobId: job.jobId, status: 'succeeded', result: { pieceIndex: job.pieceIndex, uri: `gen://${job.jobId}` } }),
      query: async () => undefined,
    };
    const persistence = new Persistence(measured);
    const system = new ActorSystem({ persistence });
    const { Cook } = createCookActors({ submitter, pollIntervalMs: 60_000 });
    await createCollection(persistence, { id: 'long', ownerId: 'ann', supply: COOK_PIECES + 10 });
    await system.ref(Cook, cookKey('long', 'ann')).ask('start', { requester: 'ann', maxConcurrent: 3 });
    while (!saves.has(COOK_PIECES + 10)) await delay(20);
    await system.shutdown();
    const at = (piece: number) => {
      const bytes = saves.get(piece);
      if (bytes === undefined) throw new Error(`no save measured at piece ${piece}`);
      return bytes;
    };
    return { at10: at(10), atEnd: at(COOK_PIECES), saves: saves.size };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const group: BenchGroup = {
  name: 'records',
  async run(report) {
    const fired = await remindersPerSecond();
    console.log(`  reminders: ${fired.durable.toFixed(0)}/s durable vs ${fired.timers.toFixed(0)}/s from in-memory timers (ratio ${(fired.durable / fired.timers).toFixed(2)}); service heap with 100k pending ${fired.heapMb.toFixed(1)} MB`);
    report({ name: 'records.reminders_fired_per_sec', value: fired.durable, unit: 'firings/s', target: '>= 20000' });
    report({ name: 'records.reminders_timer_baseline_per_sec', value: fired.timers, unit: 'firings/s' });
    report({ name: 'records.reminders_pending_heap_mb', value: fired.heapMb, unit: 'MB' });
    const page = await queryPage();
    console.log(`  index page of 100 from 1M: p50 ${page.p50.toFixed(0)} µs, mean ${page.mean.toFixed(0)} µs; filter+sort for the same page ${page.scanMs.toFixed(0)} ms (${((page.scanMs * 1000) / page.mean).toFixed(0)}x slower)`);
    report({ name: 'records.query_page_us_1m', value: page.mean, unit: 'µs', target: '<= 500' });
    report({ name: 'records.query_page_p50_us_1m', value: page.p50, unit: 'µs' });
    report({ name: 'records.query_scan_ms_1m', value: page.scanMs, unit: 'ms' });
    const cook = await cookSaveBytes();
    console.log(`  cook of ${COOK_PIECES} pieces: ${cook.at10} bytes journaled for the save at piece 10, ${cook.atEnd} at piece ${COOK_PIECES} (${cook.saves} saves measured)`);
    report({ name: 'records.cook_save_bytes_growth', value: cook.atEnd / cook.at10, unit: 'x', target: '<= 1.5' });
    report({ name: 'records.cook_save_bytes_at_10', value: cook.at10, unit: 'bytes' });
  },
};
export default group;
