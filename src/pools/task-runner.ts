/**
 * Loads a task module and calls its function, the same way in a worker thread
 * and in-process. The outcome is returned only after every channel call the
 * task made has been answered, so progress always reaches the owner before the
 * result does, even though the two travel on different ports.
 * @internal
 */
import type { TaskChannel, TaskFunction } from './task.js';
import { serializeError, type TaskOutcome } from './envelope.js';

const modules = new Map<string, Promise<Record<string, unknown>>>();

/** Imports a task module once per thread and picks the function named `name`, else the default export. */
export async function loadTaskFunction(moduleHref: string, name: string): Promise<TaskFunction<unknown, unknown, unknown>> {
  let loading = modules.get(moduleHref);
  if (!loading) {
    loading = import(moduleHref) as Promise<Record<string, unknown>>;
    modules.set(moduleHref, loading);
    loading.catch(() => modules.delete(moduleHref)); // a failed import may succeed once the file exists
  }
  const module = await loading;
  const fn = module[name] ?? module['default'];
  if (typeof fn !== 'function') {
    throw new TypeError(`task module ${moduleHref} exports no function named "${name}" and no default function`);
  }
  return fn as TaskFunction<unknown, unknown, unknown>;
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

/**
 * Runs one task to its outcome; never rejects. The result is returned as a
 * structured clone: in a worker that is a check the post would do anyway (an
 * uncloneable value becomes a coded outcome instead of a dead thread); in-process
 * it is the copy that keeps owner and task from sharing objects.
 */
export async function runTask(
  moduleHref: string,
  name: string,
  input: unknown,
  channel: TaskChannel<unknown> | undefined,
): Promise<TaskOutcome> {
  const tracked = channel ? trackChannel(channel) : undefined;
  let outcome: TaskOutcome;
  try {
    const fn = await loadTaskFunction(moduleHref, name);
    const value = await (tracked ? fn(input, tracked.channel) : fn(input));
    try {
      outcome = { ok: true, value: isPrimitive(value) ? value : structuredClone(value) };
    } catch (cloneError) {
      outcome = { ok: false, failure: 'uncloneable', error: serializeError(cloneError) };
    }
  } catch (thrown) {
    outcome = { ok: false, failure: 'threw', error: serializeError(thrown) };
  }
  await tracked?.drain();
  return outcome;
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol');
}
