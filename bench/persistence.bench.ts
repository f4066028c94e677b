/**
 * Persistence benchmark: durable updates/s with 100 concurrent writers through
 * the persistence actor on the lowdb store, against naive lowdb (update
 * `db.data`, `await db.write()` per update, which rewrites the whole file and
 * does not even fsync), at 1k / 10k / 100k records; commit latency
 * percentiles (compaction included); recovery time of a 100k-record snapshot
 * plus a 10,000-batch journal; one query page of 100 from a 100k collection
 * (against sorting every key, the old way, in the same run); and the time to
 * take over the directory of an owner killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { BenchFigure, BenchGroup } from './harness.js';
import { collectGarbage, percentile } from './harness.js';
import type { WriteOp } from '../src/persistence/index.js';
import { LowdbStore, Persistence } from '../src/persistence/index.js';

const WRITERS = 100;
const WARMUP_MS = 500;
const SLICE_MS = 1_000;
const ROUNDS = 5;
const NAIVE_MS = 2_500;
/**
 * Compaction floor: the store compacts once the journal passes this or the
 * snapshot's size, whichever is larger, so every size compacts while measured.
 */
const COMPACT_AFTER_BYTES = 2 * 1024 * 1024;

const recordValue = (i: number): Record<string, unknown> => ({ owner: `user-${i % 977}`, status: 'running', progress: i % 100, note: 'x'.repeat(40) });
const keyOf = (i: number): string => `job-${String(i).padStart(6, '0')}`;

/** A small deterministic PRNG so both sides update the same keys. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-bench-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function seed(store: LowdbStore, records: number): Promise<void> {
  for (let start = 0; start < records; start += 1_000) {
    const batch: WriteOp[] = [];
    for (let i = start; i < Math.min(records, start + 1_000); i++) batch.push({ op: 'put', collection: 'jobs', key: keyOf(i), value: recordValue(i) });
    await store.commit(batch);
  }
  await store.compact();
}

/** One seeded store under test, with what its measured slices accumulated. */
interface StewardSubject {
  readonly records: number;
  readonly dir: string;
  readonly store: LowdbStore;
  readonly persistence: Persistence;
  readonly random: () => number;
  readonly latencies: number[];
  updates: number;
  seconds: number;
  /** Compactions that started or were running during a measured slice. */
  compactions: number;
  measuring: boolean;
  compacting: boolean;
}

async function openSubject(records: number): Promise<StewardSubject> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-bench-'));
  const subject: Partial<StewardSubject> & { compactions: number; measuring: boolean; compacting: boolean } = {
    compactions: 0,
    measuring: false,
    compacting: false,
  };
  const store = await LowdbStore.open({
    dir,
    compactAfterBytes: COMPACT_AFTER_BYTES,
    onEvent: (event) => {
      if (event.type === 'compaction-started') {
        subject.compacting = true;
        if (subject.measuring) subject.compactions += 1;
      } else if (event.type === 'compaction-finished' || event.type === 'compaction-failed') {
        subject.compacting = false;
      }
    },
  });
  await seed(store, records);
  return Object.assign(subject, { records, dir, store, persistence: new Persistence(store), random: prng(records), latencies: [], updates: 0, seconds: 0 });
}

/** Runs 100 writers against `subject` for `ms`; records latencies unless it is a warm-up. */
async function slice(subject: StewardSubject, ms: number, measure: boolean): Promise<void> {
  subject.measuring = measure;
  // A compaction still running from an earlier slice overlaps this one too.
  if (measure && subject.compacting) subject.compactions += 1;
  const start = performance.now();
  const deadline = start + ms;
  let updates = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (performance.now() < deadline) {
        const i = Math.floor(subject.random() * subject.records);
        const began = performance.now();
        await subject.persistence.commit([{ op: 'put', collection: 'jobs', key: keyOf(i), value: { ...recordValue(i), progress: updates % 100 } }]);
        if (measure) subject.latencies.push(performance.now() - began);
        updates += 1;
      }
    }),
  );
  subject.measuring = false;
  if (!measure) return;
  subject.updates += updates;
  subject.seconds += (performance.now() - start) / 1000;
}

/** Naive lowdb: one writer, update then `await db.write()`, as an application would without steward. */
async function naiveRun(records: number, concurrent: boolean): Promise<number> {
  return withTempDir(async (dir) => {
    const data: { jobs: Record<string, unknown> } = { jobs: {} };
    for (let i = 0; i < records; i++) data.jobs[keyOf(i)] = recordValue(i);
    const db = new Low(new JSONFile<typeof data>(join(dir, 'db.json')), data);
    await db.write();
    collectGarbage();
    const random = prng(records);
    const start = performance.now();
    const deadline = start + NAIVE_MS;
    let updates = 0;
    await Promise.all(
      Array.from({ length: concurrent ? WRITERS : 1 }, async () => {
        while (performance.now() < deadline) {
          const i = Math.floor(random() * records);
          db.data.jobs[keyOf(i)] = { ...recordValue(i), progress: updates % 100 };
          await db.write();
          updates += 1;
        }
      }),
    );
    return updates / ((performance.now() - start) / 1000);
  });
}

async function recoveryMs(): Promise<{ ms: number; replayed: number }> {
  return withTempDir(async (dir) => {
    const store = await LowdbStore.open({ dir, compactAfterBytes: Number.POSITIVE_INFINITY });
    await seed(store, 100_000);
    for (let i = 0; i < 10_000; i++) {
      await store.commit([{ op: 'put', collection: 'jobs', key: keyOf((i * 7919) % 100_000), value: { ...recordValue(i), progress: i % 100 } }]);
    }
    await store.close();
    collectGarbage();
    let replayed = 0;
    const start = performance.now();
    const reopened = await LowdbStore.open({
      dir,
      compactAfterBytes: Number.POSITIVE_INFINITY,
      onEvent: (event) => {
        if (event.type === 'opened') replayed = event.replayed;
      },
    });
    const ms = performance.now() - start;
    await reopened.close();
    return { ms, replayed };
  });
}

/** Median µs of one 100-record page at a random cursor, through the store's sorted index and the naive full sort. */
async function queryPageUs(store: LowdbStore, records: number): Promise<{ indexed: number; naive: number }> {
  const random = prng(42);
  const indexed: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const after = keyOf(Math.floor(random() * records));
    const start = performance.now();
    const page = await store.query('jobs', { after, limit: 100 });
    indexed.push((performance.now() - start) * 1000);
    if (page.length === 0 && after < keyOf(records - 1)) throw new Error('empty page');
  }
  const all = new Map((await store.query('jobs')).map((record) => [record.key, record]));
  const naive: number[] = [];
  for (let i = 0; i < 20; i++) {
    const after = keyOf(Math.floor(random() * records));
    const start = performance.now();
    const keys = [...all.keys()].filter((key) => key > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    keys.slice(0, 100).map((key) => all.get(key));
    naive.push((performance.now() - start) * 1000);
  }
  return { indexed: percentile(indexed, 50), naive: percentile(naive, 50) };
}

/** Median ms for this process to open a directory whose owner was just SIGKILLed (no stale wait). */
async function takeoverMs(): Promise<number> {
  return withTempDir(async (dir) => {
    const seeded = await LowdbStore.open({ dir });
    await seed(seeded, 1_000);
    await seeded.close();
    const module = fileURLToPath(new URL('../src/persistence/index.js', import.meta.url));
    const script = `const { LowdbStore } = await import(${JSON.stringify(module)}); await LowdbStore.open({ dir: ${JSON.stringify(dir)} }); console.log('opened'); setInterval(() => {}, 1000);`;
    const times: number[] = [];
    for (let round = 0; round < 10; round++) {
      const owner = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => owner.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('opened') && resolve()));
      const exited = new Promise((resolve) => owner.once('exit', resolve));
      owner.kill('SIGKILL');
      await exited;
      const start = performance.now();
      const store = await LowdbStore.open({ dir });
      times.push(performance.now() - start);
      await store.close();
    }
    return percentile(times, 50);
  });
}

const SIZES = [
  { records: 1_000, label: '1k' },
  { records: 10_000, label: '10k' },
  { records: 100_000, label: '100k' },
] as const;

const group: BenchGroup = {
  name: 'persistence',
  async run(report: (figure: BenchFigure) => void) {
    // Sizes are measured in interleaved slices, so a noisy moment on a shared machine
    // lands on every size alike instead of skewing one of them.
    const subjects = new Map<string, StewardSubject>();
    for (const { records, label } of SIZES) subjects.set(label, await openSubject(records));
    try {
      for (const subject of subjects.values()) await slice(subject, WARMUP_MS, false);
      for (let round = 0; round < ROUNDS; round++) {
        for (const subject of subjects.values()) {
          collectGarbage();
          await slice(subject, SLICE_MS, true);
        }
      }
      const page = await queryPageUs((subjects.get('100k') as StewardSubject).store, 100_000);
      report({ name: 'persistence.query_page_us_100k', value: page.indexed, unit: 'µs (median, 100 of 100k records, sorted index)', target: '<= 200' });
      report({ name: 'persistence.query_page_naive_us_100k', value: page.naive, unit: 'µs (median, same page by sorting every key)' });
      report({ name: 'persistence.query_page_vs_naive_100k', value: page.naive / page.indexed, unit: 'x' });
    } finally {
      for (const subject of subjects.values()) {
        await subject.persistence.close();
        await rm(subject.dir, { recursive: true, force: true });
      }
    }
    const p99 = new Map<string, number>();
    for (const { records, label } of SIZES) {
      const steward = subjects.get(label) as StewardSubject;
      const updatesPerSecond = steward.updates / steward.seconds;
      const naive = await naiveRun(records, false);
      const naiveConcurrent = await naiveRun(records, true);
      const target = label === '10k' ? '>= 100' : label === '100k' ? '>= 1000' : undefined;
      report({ name: `persistence.updates_vs_naive_${label}`, value: updatesPerSecond / naive, unit: 'x', ...(target ? { target } : {}) });
      report({ name: `persistence.updates_per_s_${label}`, value: updatesPerSecond, unit: 'updates/s (durable)' });
      report({ name: `persistence.naive_updates_per_s_${label}`, value: naive, unit: 'updates/s (1 writer, no fsync)' });
      report({ name: `persistence.naive_concurrent_updates_per_s_${label}`, value: naiveConcurrent, unit: 'updates/s (100 writers, no fsync)' });
      report({ name: `persistence.p50_ms_${label}`, value: percentile(steward.latencies, 50), unit: 'ms' });
      report({ name: `persistence.p99_ms_${label}`, value: percentile(steward.latencies, 99), unit: 'ms' });
      report({ name: `persistence.compactions_during_${label}`, value: steward.compactions, unit: 'compactions overlapping measured slices' });
      p99.set(label, percentile(steward.latencies, 99));
    }
    report({
      name: 'persistence.p99_growth_100k_vs_1k',
      value: (p99.get('100k') ?? Number.NaN) / (p99.get('1k') ?? Number.NaN),
      unit: 'x',
      target: '<= 3',
    });
    const recovery = await recoveryMs();
    report({ name: 'persistence.takeover_ms', value: await takeoverMs(), unit: 'ms (median open of a SIGKILLed owner\'s 1k-record directory)', target: '<= 50' });
    report({ name: 'persistence.recovery_ms_100k', value: recovery.ms, unit: `ms (100k-record snapshot + ${recovery.replayed} journal batches)` });
  },
};

export default group;
