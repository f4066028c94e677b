/**
 * Task pools against raw piscina on the same number of threads. The steward
 * side is the path an application takes: an actor starts each task with
 * `ctx.startTask` and handles its outcome as a message; the raw side awaits
 * `piscina.run` directly. Both run the same compiled function
 * (`bench/tasks/*.ts`). Figures: throughput with 10,000 tasks in flight,
 * single-task round trips, and the same with the progress channel on.
 *
 * The machine is shared, so the two sides are timed in alternation: each
 * round runs steward, raw, raw, steward batches (or the mirror image) so that
 * load drifting within a round hits both sides alike, yields one steward/raw
 * ratio, and the figure is the median ratio over the rounds, with the lowest
 * and highest beside it.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { z } from 'zod';
import { ActorSystem, defineActor, type ActorRef } from '../src/index.js';
import { defineTask, PiscinaPool } from '../src/pools/index.js';
import { collectGarbage, percentile, type BenchGroup } from './harness.js';

const IN_FLIGHT = 10_000;
const ACTORS = 4;
/** Rounds of plain tasks; each times two 10,000-task batches per side. */
const ROUNDS = 15;
/** Rounds with the progress channel on, which runs several times slower. */
const PROGRESS_ROUNDS = 3;
/**
 * Round-trip rounds, each on fresh threads: where the OS places a pool's
 * threads on this shared machine moves one pool's p50 by 2x from process to
 * process, so each figure is the median over rounds of that round's value.
 */
const LATENCY_ROUNDS = 5;
const ROUND_TRIPS = 800;
const THREADS = Math.min(4, Math.max(2, availableParallelism()));
const POOL = 'bench';

const taskModule = (name: string): URL => new URL(`./tasks/${name}.js`, import.meta.url);

const echoTask = defineTask({
  name: 'echo',
  module: taskModule('echo'),
  input: z.object({ n: z.number() }),
  result: z.object({ doubled: z.number() }),
});
const progressTask = defineTask({
  name: 'progress',
  module: taskModule('progress'),
  input: z.object({ n: z.number() }),
  result: z.object({ doubled: z.number() }),
  progress: z.object({ step: z.number().int().positive() }),
});

/** Called by a driver when its last outstanding outcome has been handled, by actor key. */
const finished = new Map<string, (failure: string | undefined) => void>();

/** Starts `count` tasks per `start` message and counts the outcome messages it handles. */
const Driver = defineActor({
  name: 'pools-bench-driver',
  messages: {
    start: z.object({ count: z.number().int().positive(), channel: z.boolean() }),
    outcome: z.object({ ok: z.boolean(), code: z.string().optional() }),
    progress: z.object({ step: z.number() }),
    heartbeat: z.object({}),
  },
  mailbox: { capacity: 4 * IN_FLIGHT },
  initialState: (_key: string) => ({ pending: 0, handled: 0, reports: 0, failure: undefined as string | undefined }),
  handlers: {
    start: ({ count, channel }, ctx) => {
      ctx.state.pending += count;
      for (let n = 0; n < count; n++) {
        if (channel) {
          ctx.startTask(POOL, progressTask, { n }, {
            toMessage: (outcome) => ({ type: 'outcome', payload: outcome.ok ? { ok: true } : { ok: false, code: codeOf(outcome.error) } }),
            onProgress: (report) => ({ type: 'progress', payload: report }),
            onHeartbeat: () => ({ type: 'heartbeat', payload: {} }),
          });
        } else {
          ctx.startTask(POOL, echoTask, { n }, {
            toMessage: (outcome) => ({ type: 'outcome', payload: outcome.ok ? { ok: true } : { ok: false, code: codeOf(outcome.error) } }),
          });
        }
      }
    },
    outcome: ({ ok, code }, ctx) => {
      ctx.state.handled++;
      if (!ok) ctx.state.failure ??= code;
      if (--ctx.state.pending === 0) finished.get(ctx.key)?.(ctx.state.failure);
    },
    progress: (_report, ctx) => void ctx.state.reports++,
    heartbeat: (_payload, ctx) => void ctx.state.reports++,
  },
});

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(error);
}

/** Has `driver` start `count` tasks and resolves once it has handled every outcome; a failed task fails the bench. */
function throughActor(driver: ActorRef<typeof Driver>, count: number, channel: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    finished.set(driver.key, (failure) => {
      if (failure === undefined) resolve();
      else reject(new Error(`a bench task failed: ${failure}`));
    });
    driver.tell('start', { count, channel });
  });
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

interface Pools {
  readonly raw: Piscina;
  readonly drivers: readonly ActorRef<typeof Driver>[];
  close(): Promise<void>;
}

/** A raw piscina and a steward pool of the same size, the latter behind an actor system with its drivers. */
function openPools(): Pools {
  const raw = new Piscina({ filename: fileURLToPath(taskModule('echo')), name: 'echo', minThreads: THREADS, maxThreads: THREADS });
  const pool = new PiscinaPool({ name: POOL, minThreads: THREADS, maxThreads: THREADS, maxQueue: IN_FLIGHT });
  const system = new ActorSystem({ pools: { [POOL]: pool } });
  return {
    raw,
    drivers: Array.from({ length: ACTORS }, (_, i) => system.ref(Driver, `driver-${i}`)),
    close: async () => {
      await Promise.all([raw.destroy(), system.shutdown({ deadlineMs: 1_000 })]);
    },
  };
}

type Side = 'steward' | 'raw' | 'progress';

/** One round of single-task round trips on fresh pools, the sides taking turns (order swapped each time); p50 and p99 per side. */
async function roundTrips(): Promise<Record<Side, { p50: number; p99: number }>> {
  const { raw, drivers, close } = openPools();
  try {
    const driver = drivers[0] as ActorRef<typeof Driver>;
    const sides: Record<Side, () => Promise<unknown>> = {
      steward: () => throughActor(driver, 1, false),
      raw: () => raw.run({ n: 1 }),
      progress: () => throughActor(driver, 1, true),
    };
    const samples: Record<Side, number[]> = { steward: [], raw: [], progress: [] };
    const orders: readonly (readonly Side[])[] = [
      ['steward', 'raw', 'progress'],
      ['raw', 'steward', 'progress'],
    ];
    for (let i = 0; i < 200; i++) for (const side of orders[0] ?? []) await sides[side](); // warm up
    collectGarbage();
    for (let i = 0; i < ROUND_TRIPS; i++) {
      for (const side of orders[i % 2] ?? []) {
        const start = performance.now();
        await sides[side]();
        samples[side].push((performance.now() - start) * 1000);
      }
    }
    const figures = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
    return { steward: figures(samples.steward), raw: figures(samples.raw), progress: figures(samples.progress) };
  } finally {
    await close();
  }
}

const group: BenchGroup = {
  name: 'pools',
  async run(report) {
    const { raw, drivers, close } = openPools();
    try {
      const steward = (channel: boolean) => async (n: number) => {
        const share = Math.ceil(n / ACTORS);
        await Promise.all(drivers.map((driver, i) => throughActor(driver, Math.min(share, n - i * share), channel)));
      };
      const rawBatch = async (n: number) => {
        await Promise.all(Array.from({ length: n }, (_, i) => raw.run({ n: i })));
      };
      /** Seconds one batch of IN_FLIGHT tasks takes. */
      const time = async (batch: (n: number) => Promise<void>): Promise<number> => {
        collectGarbage();
        const start = performance.now();
        await batch(IN_FLIGHT);
        return (performance.now() - start) / 1000;
      };
      /** One ABBA round: the steward/raw ratio of tasks per second, and each side's rate. */
      const round = async (side: (n: number) => Promise<void>, mirrored: boolean) => {
        let sideSeconds = 0;
        let rawSeconds = 0;
        for (const step of mirrored ? ['raw', 'side', 'side', 'raw'] : ['side', 'raw', 'raw', 'side']) {
          if (step === 'raw') rawSeconds += await time(rawBatch);
          else sideSeconds += await time(side);
        }
        return { ratio: rawSeconds / sideSeconds, rate: (2 * IN_FLIGHT) / sideSeconds, rawRate: (2 * IN_FLIGHT) / rawSeconds };
      };

      for (const batch of [steward(false), rawBatch, steward(true)]) await batch(IN_FLIGHT); // warm up
      const plain = [];
      for (let r = 0; r < ROUNDS; r++) plain.push(await round(steward(false), r % 2 === 1));
      const withChannel = [];
      for (let r = 0; r < PROGRESS_ROUNDS; r++) withChannel.push(await round(steward(true), r % 2 === 1));
      const ratios = plain.map((r) => r.ratio);
      report({ name: 'pools.tasks_vs_raw_piscina', value: median(ratios), unit: 'x', target: '>= 0.85' });
      report({ name: 'pools.tasks_vs_raw_min', value: Math.min(...ratios), unit: 'x' });
      report({ name: 'pools.tasks_vs_raw_max', value: Math.max(...ratios), unit: 'x' });
      report({ name: 'pools.raw_tasks_per_s', value: median(plain.map((r) => r.rawRate)), unit: 'tasks/s' });
      report({ name: 'pools.tasks_per_s', value: median(plain.map((r) => r.rate)), unit: 'tasks/s' });
      report({ name: 'pools.progress_tasks_vs_raw', value: median(withChannel.map((r) => r.ratio)), unit: 'x' });
      report({ name: 'pools.progress_tasks_per_s', value: median(withChannel.map((r) => r.rate)), unit: 'tasks/s' });

    } finally {
      await close();
    }

    const rounds: Awaited<ReturnType<typeof roundTrips>>[] = [];
    for (let r = 0; r < LATENCY_ROUNDS; r++) rounds.push(await roundTrips());
    const over = (side: Side, figure: 'p50' | 'p99') => median(rounds.map((round) => round[side][figure]));
    report({ name: 'pools.p50_us', value: over('steward', 'p50'), unit: 'us' });
    report({ name: 'pools.p99_us', value: over('steward', 'p99'), unit: 'us' });
    report({ name: 'pools.raw_p50_us', value: over('raw', 'p50'), unit: 'us' });
    report({ name: 'pools.raw_p99_us', value: over('raw', 'p99'), unit: 'us' });
    report({ name: 'pools.progress_p50_us', value: over('progress', 'p50'), unit: 'us' });
    report({ name: 'pools.progress_p99_us', value: over('progress', 'p99'), unit: 'us' });
    report({ name: 'pools.p50_vs_raw_min', value: Math.min(...rounds.map((round) => round.steward.p50 / round.raw.p50)), unit: 'x' });
    report({ name: 'pools.p50_vs_raw_max', value: Math.max(...rounds.map((round) => round.steward.p50 / round.raw.p50)), unit: 'x' });
  },
};

export default group;
