/**
 * Loads a task module and calls its function, the same way in a worker thread
 * and in-process. The outcome is returned only after every channel call the
 * task made has been answered, so progress always reaches the owner before the
 * result does, even though the two travel on different ports.
 * @internal
 */
import type { TaskChannel, TaskFunction } from './task.js';
import { serializeError, type TaskLoadFailure, type TaskOutcome } from './envelope.js';

const modules = new Map<string, Promise<Record<string, unknown>>>();
/** Module imports not finished yet, and how many were ever started. */
const importing = new Set<Promise<unknown>>();
let importsStarted = 0;

/** A task's function and the export it was found under. */
export interface LoadedTask {
  readonly fn: TaskFunction<unknown, unknown, unknown>;
  readonly export: string;
}

/** Functions already resolved, so the hot path takes no extra promise turn per task. */
const functions = new Map<string, LoadedTask>();

/**
 * Imports a task module once per thread and picks the function named `name`,
 * else the default export; a module that does not load or has neither is a
 * {@link TaskLoadFailure}.
 */
export async function loadTaskFunction(moduleHref: string, name: string): Promise<LoadedTask | TaskLoadFailure> {
  const key = `${name}@${moduleHref}`;
  const known = functions.get(key);
  if (known) return known;
  let loading = modules.get(moduleHref);
  if (!loading) {
    const started = import(moduleHref) as Promise<Record<string, unknown>>;
    loading = started;
    modules.set(moduleHref, started);
    importing.add(started);
    importsStarted += 1;
    started.then(
      () => importing.delete(started),
      () => {
        importing.delete(started);
        modules.delete(moduleHref); // a failed import may succeed once the file exists
      },
    );
  }
  let module: Record<string, unknown>;
  try {
    module = await loading;
  } catch (thrown) {
    const error = serializeError(thrown);
    return { ok: false, failure: 'load', export: name, description: `its module ${moduleHref} could not be loaded: ${error.name}: ${error.message}`, error };
  }
  const exported = typeof module[name] === 'function' ? name : typeof module['default'] === 'function' ? 'default' : undefined;
  if (exported === undefined) {
    return { ok: false, failure: 'load', export: name, description: `its module ${moduleHref} exports no function named "${name}" and no default function`, error: undefined };
  }
  const loaded = { fn: module[exported] as TaskFunction<unknown, unknown, unknown>, export: exported };
  functions.set(key, loaded);
  return loaded;
}

/**
 * How many task-module imports were ever started in this thread. A module is
 * read from disk on a task's first run; the simulator compares this before and
 * after a run to see whether that real I/O shaped it.
 */
export function taskModuleImportCount(): number {
  return importsStarted;
}

/** Settles once every task-module import under way has. */
export async function taskModulesLoaded(): Promise<void> {
  while (importing.size > 0) await Promise.allSettled([...importing]);
}

/**
 * A channel that remembers its unanswered calls. Each call's promise is marked
 * handled so a task that fires and forgets a report cannot crash its thread
 * with an unhandled rejection; awaiting it still sees the error.
 */
export function trackChannel<TProgress>(channel: TaskChannel<TProgress>): {
  readonly channel: TaskChannel<TProgress>;
  drain(): Promise<void>;
} {
  const pending = new Set<Promise<void>>();
  const track = (call: Promise<void>): Promise<void> => {
    pending.add(call);
    call.then(
      () => pending.delete(call),
      () => pending.delete(call),
    );
    return call;
  };
  return {
    channel: {
      progress: (report) => track(channel.progress(report)),
      heartbeat: () => track(channel.heartbeat()),
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** Loads a task's module and finds its function, as a run would, without running it (`pool.check`). */
export async function checkTask(moduleHref: string, name: string): Promise<{ readonly ok: true; readonly value: string } | TaskLoadFailure> {
  const loaded = await loadTaskFunction(moduleHref, name);
  return 'fn' in loaded ? { ok: true, value: loaded.export } : loaded;
}

/**
 * Runs one task to its outcome; never rejects. In a worker (`'check'`) the
 * result is checked to be cloneable, so an uncloneable value becomes a coded
 * outcome instead of a dead thread; in-process (`'clone'`) it is copied, so
 * owner and task share nothing.
 */
export async function runTask(
  moduleHref: string,
  name: string,
  input: unknown,
  channel: TaskChannel<unknown> | undefined,
  result: 'check' | 'clone',
): Promise<TaskOutcome> {
  const loaded = functions.get(`${name}@${moduleHref}`) ?? (await loadTaskFunction(moduleHref, name));
  if (!('fn' in loaded)) return loaded;
  const tracked = channel ? trackChannel(channel) : undefined;
  let outcome: TaskOutcome;
  try {
    const returned = tracked ? loaded.fn(input, tracked.channel) : loaded.fn(input);
    const value = isThenable(returned) ? await returned : returned;
    try {
      outcome = { ok: true, value: result === 'clone' ? structuredClone(value) : checkCloneable(value) };
    } catch (cloneError) {
      outcome = { ok: false, failure: 'uncloneable', error: serializeError(cloneError), export: loaded.export };
    }
  } catch (thrown) {
    outcome = { ok: false, failure: 'threw', error: serializeError(thrown), export: loaded.export };
  }
  await tracked?.drain();
  return outcome;
}

/** Budget of the fast plain-data walk before falling back to a real clone. */
const WALK_BUDGET = 256;

/**
 * Returns `value` if it can cross a thread, else throws the DataCloneError.
 * Small plain data (the common result) is checked by a walk; anything else
 * pays for a trial `structuredClone`.
 */
function checkCloneable(value: unknown): unknown {
  if (!isSmallPlainData(value, { left: WALK_BUDGET })) structuredClone(value);
  return value;
}

function isSmallPlainData(value: unknown, budget: { left: number }): boolean {
  if (--budget.left < 0) return false;
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return true;
    case 'object': {
      const proto = Object.getPrototypeOf(value) as unknown;
      if (Array.isArray(value)) return proto === Array.prototype && value.every((item) => isSmallPlainData(item, budget));
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (!isSmallPlainData((value as Record<string, unknown>)[key], budget)) return false;
      }
      return true;
    }
    case 'function':
    case 'symbol':
      break;
  }
  return false; // functions and symbols: let structuredClone say why
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
