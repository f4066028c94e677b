/**
 * Task definitions over the compiled fixtures, and the two pool kinds the
 * behavioural suite runs against.
 */
import { z } from 'zod';
import { defineTask, InProcessPool, PiscinaPool, type TaskPool } from '../../src/pools/index.js';
import { SLOTS } from './fixtures/gate.js';

/** Node 20 cannot load `.ts` in a worker: tasks always run the compiled fixture. */
export function fixture(file: string): URL {
  return new URL(`../../dist/test/pools/fixtures/${file}.js`, import.meta.url);
}

const gateInput = z.object({ gate: z.instanceof(SharedArrayBuffer) });

export const echoTask = defineTask({
  name: 'echo',
  module: fixture('echo'),
  input: z.object({ n: z.number() }),
  result: z.object({ doubled: z.number() }),
});
export const throwsTask = defineTask({ name: 'throws', module: fixture('throws'), input: z.object({ message: z.string() }), result: z.never() });
export const exitTask = defineTask({ name: 'exit', module: fixture('exit'), input: z.object({ code: z.number().int() }), result: z.never() });
export const throwOutsideTask = defineTask({ name: 'throwOutside', module: fixture('throw-outside'), input: z.undefined(), result: z.never() });
export const oomTask = defineTask({ name: 'oom', module: fixture('oom'), input: z.undefined(), result: z.number() });
export const waitTask = defineTask({ name: 'wait', module: fixture('wait'), input: gateInput.extend({ tag: z.number() }), result: z.number() });
export const junkTask = defineTask({ name: 'echo', module: fixture('junk'), input: z.undefined(), result: z.object({ doubled: z.number() }) });
export const uncloneableTask = defineTask({ name: 'uncloneable', module: fixture('uncloneable'), input: z.undefined(), result: z.unknown() });
export const spinTask = defineTask({ name: 'spin', module: fixture('spin'), input: gateInput, result: z.number() });
export const releaseTask = defineTask({ name: 'release', module: fixture('release'), input: gateInput, result: z.boolean() });
export const afterReturnTask = defineTask({ name: 'afterReturn', module: fixture('after-return'), input: gateInput, result: z.boolean() });
export const hangTask = defineTask({
  name: 'hang',
  module: fixture('hang'),
  input: gateInput.extend({ mode: z.enum(['block', 'await']) }),
  result: z.number(),
});
export const threadIdTask = defineTask({ name: 'threadIdOf', module: fixture('thread-id'), input: z.undefined(), result: z.number() });
export const throwAfterReturnTask = defineTask({ name: 'throwAfterReturn', module: fixture('throw-after-return'), input: z.undefined(), result: z.boolean() });
export const noExportTask = defineTask({ name: 'missing', module: fixture('no-export'), input: z.undefined(), result: z.unknown() });
export const throwsOnLoadTask = defineTask({ name: 'never', module: fixture('throws-on-load'), input: z.undefined(), result: z.unknown() });
export const absentModuleTask = defineTask({ name: 'absent', module: fixture('absent'), input: z.undefined(), result: z.unknown() });
export const progressTask = defineTask({
  name: 'progress',
  module: fixture('progress'),
  input: z.object({ count: z.number().int() }),
  result: z.number(),
  progress: z.object({ step: z.number().int().positive() }),
});
export const reportAfterCancelTask = defineTask({
  name: 'reportAfterCancel',
  module: fixture('report-after-cancel'),
  input: gateInput,
  result: z.number(),
  progress: z.number(),
});

/** A fresh gate: the buffer to hand to tasks and the view the test reads. */
export function newGate(): { gate: SharedArrayBuffer; view: Int32Array } {
  const gate = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
  return { gate, view: new Int32Array(gate) };
}

/** Options both pool kinds understand, in the suite's terms. */
export interface SuitePoolOptions {
  readonly name?: string;
  /** Tasks running at once: threads for piscina, `concurrency` in-process. */
  readonly slots?: number;
  readonly maxQueue?: number;
  readonly defaultTimeoutMs?: number;
}

export interface PoolKind {
  readonly kind: 'piscina' | 'in-process';
  create(options?: SuitePoolOptions): TaskPool;
}

export const POOL_KINDS: readonly PoolKind[] = [
  {
    kind: 'piscina',
    create: ({ name = 'suite', slots = 1, maxQueue, defaultTimeoutMs } = {}) =>
      new PiscinaPool({
        name,
        minThreads: slots,
        maxThreads: slots,
        ...(maxQueue === undefined ? {} : { maxQueue }),
        ...(defaultTimeoutMs === undefined ? {} : { defaultTimeoutMs }),
      }),
  },
  {
    kind: 'in-process',
    create: ({ name = 'suite', slots = 1, maxQueue, defaultTimeoutMs } = {}) =>
      new InProcessPool({
        name,
        concurrency: slots,
        ...(maxQueue === undefined ? {} : { maxQueue }),
        ...(defaultTimeoutMs === undefined ? {} : { defaultTimeoutMs }),
      }),
  },
];

/** Tracks the pools a test makes so `afterEach` can close every one. */
export function poolTracker(): { track<T extends TaskPool>(pool: T): T; closeAll(): Promise<void> } {
  const pools: TaskPool[] = [];
  return {
    track(pool) {
      pools.push(pool);
      return pool;
    },
    async closeAll() {
      await Promise.all(pools.splice(0).map((pool) => pool.close({ deadlineMs: 0 })));
    },
  };
}

/** The rejection of `promise`, failing if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string; exitCode?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection, but the promise resolved');
}
