/**
 * The wire format between a pool and the code that runs a task (in a worker
 * thread or in-process). A task's own failure comes back as a resolved
 * {@link TaskOutcome}, so a rejection from the thread pool always means the
 * thread itself failed: that is how a crash is told apart from a throw.
 * @internal
 */
import type { MessagePort } from 'node:worker_threads';

/** What the worker entry receives for one task. */
export interface TaskRequest {
  readonly moduleHref: string;
  readonly name: string;
  readonly input: unknown;
  /** `task "x" #3 on pool "p"`, for errors raised inside the thread; sent only with a channel. */
  readonly label?: string;
  /** The task's end of its progress channel, when the task asked for one. */
  readonly port?: MessagePort;
  /** Only load the module and find the function (`pool.check`): nothing runs. */
  readonly check?: true;
}

/** A task error as plain data: any thrown value can cross a thread this way. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
}

/**
 * How a task ended, seen from inside its thread: a value, a throw, a value
 * that cannot be cloned across threads (which, left to piscina, would kill the
 * thread with an error that no longer says what went wrong), or a module that
 * would not load.
 */
export type TaskOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly failure: 'threw' | 'uncloneable'; readonly error: SerializedError; readonly export: string }
  | TaskLoadFailure;

/** The module did not load, or has no function to call: nothing of the task ran. */
export interface TaskLoadFailure {
  readonly ok: false;
  readonly failure: 'load';
  /** The export looked for: the task's name, or `default`. */
  readonly export: string;
  /** What went wrong, naming the module. */
  readonly description: string;
  /** The import's own error, when there was one. */
  readonly error: SerializedError | undefined;
}

/** Turns anything thrown into data that survives `postMessage`. */
export function serializeError(thrown: unknown): SerializedError {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    return {
      name: thrown.name,
      message: thrown.message,
      ...(thrown.stack === undefined ? {} : { stack: thrown.stack }),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { name: 'NonErrorThrown', message: safeString(thrown) };
}

/** Rebuilds an `Error` (for use as a `cause`) from its serialized form. */
export function deserializeError(data: SerializedError): Error {
  const error = new Error(data.message);
  error.name = data.name;
  if (data.stack !== undefined) error.stack = data.stack;
  if (data.code !== undefined) (error as { code?: string }).code = data.code;
  return error;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
