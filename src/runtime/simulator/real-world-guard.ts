import dns from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import timers from 'node:timers';
import timersPromises from 'node:timers/promises';
import { promisify } from 'node:util';
import { SimulationNondeterminismError } from './errors.js';
import type { IoOptions, SimulationWorld } from './world.js';

/** The runner's own event-loop turn, taken before any patch. */
const realSetImmediate = globalThis.setImmediate;

/** One event-loop turn, on the real `setImmediate` (the guard refuses the patched one inside a run). */
const nextTurn = (): Promise<void> => new Promise<void>((resolve) => realSetImmediate(resolve));

/** The simulated run whose code holds the event loop right now, if any. */
let active: RealWorldGuard | undefined;

/**
 * What a simulated run must not reach, because it would make the run
 * unrepeatable: real timers and real I/O, whose callbacks land at some
 * wall-clock moment the strategy does not choose. Each refused API is
 * wrapped once, process-wide; the wrapper refuses only while the run's own
 * code runs: from the moment the run resumes on the event loop to the moment
 * it yields again ({@link RealWorldGuard.turn}), which covers every step, its
 * microtask chains and every callback the run registered (each refused API
 * is refused at the call, so no real callback of the run can land later).
 * Code outside the run, in the same process and at the same time (a keep-alive
 * timer, another test's fetch), runs while the run is yielded, and is
 * untouched.
 *
 * Why not AsyncLocalStorage: on Node 20 it hooks every promise, and cut the
 * simulator's throughput to a third.
 * @internal
 */
export class RealWorldGuard {
  /** Every refusal, first one first; reported as a violation even if the code under test swallowed the throw. */
  readonly refusals: Error[] = [];
  /** The run's world, once made (for {@link simulatedIo}). */
  world: SimulationWorld | undefined;

  /** Runs `body` as a simulated run: real timers and I/O it reaches are refused. It must yield to the event loop only through {@link turn}. */
  async run<T>(body: () => Promise<T>): Promise<T> {
    installGuards();
    active = this;
    try {
      return await body();
    } finally {
      if (active === this) active = undefined;
    }
  }

  /** One event-loop turn, with the guard disarmed while code outside the run may run. */
  async turn(): Promise<void> {
    active = undefined;
    await nextTurn();
    active = this;
  }

  refuse(api: string): never {
    const advice = TIMER_APIS.has(api)
      ? "use the actor context's clock (ctx.startTimer / ctx.clock) so the simulator controls time"
      : 'model the outside world with world.io(...) so the simulator orders it';
    const error = new SimulationNondeterminismError(`${api} was called during a simulated run: ${advice}`);
    this.refusals.push(error);
    throw error;
  }
}

/**
 * `world.io(label, value, options)` of the simulated run whose code is running,
 * so that actors and services can be defined once, at module scope, rather
 * than per run in `init`; outside a simulated run (the real runtime,
 * `runOnRealRuntime`) it resolves with `value` at once.
 *
 * @example
 * ```ts
 * const Fetcher = defineActor({
 *   name: 'fetcher',
 *   messages: { fetch: z.object({ url: z.string() }) },
 *   initialState: () => ({ pages: 0 }),
 *   handlers: {
 *     fetch: async ({ url }, ctx) => {
 *       await simulatedIo(`download ${url}`, undefined); // a step the strategy orders
 *       ctx.state.pages++;
 *     },
 *   },
 * });
 * ```
 */
export function simulatedIo<T>(label: string, value: T | (() => T), options?: IoOptions): Promise<T> {
  const world = active?.world;
  if (world) return world.io(label, value, options);
  try {
    return Promise.resolve(typeof value === 'function' ? (value as () => T)() : value);
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

const TIMER_APIS = new Set<string>();
let installed = false;

/** Wraps every refused API (once per process). */
function installGuards(): void {
  if (installed) return;
  installed = true;
  for (const name of ['setTimeout', 'setInterval', 'setImmediate'] as const) {
    TIMER_APIS.add(name).add(`timers.${name}`).add(`timers/promises.${name}`);
    (timersPromises as Record<string, unknown>)[name] = guard(`timers/promises.${name}`, timersPromises[name]);
    const promisified = timersPromises[name];
    // node:timers exports the very functions the globals are; both names must refuse, and so must util.promisify(setTimeout).
    (globalThis as Record<string, unknown>)[name] = guard(name, globalThis[name], promisified);
    (timers as Record<string, unknown>)[name] = guard(`timers.${name}`, timers[name], promisified);
  }
  const scheduler = timersPromises.scheduler as unknown as Record<string, unknown>;
  for (const name of ['wait', 'yield']) {
    TIMER_APIS.add(`timers/promises.scheduler.${name}`);
    wrapMethod(scheduler, name, `timers/promises.scheduler.${name}`);
  }
  wrapAll(fs, 'fs');
  wrapAll(fs.promises, 'fs/promises');
  wrapAll(dns, 'dns');
  wrapAll(dns.promises, 'dns/promises');
  for (const name of ['connect', 'createConnection', 'createServer']) wrapMethod(net, name, `net.${name}`);
  wrapMethod(net.Socket.prototype as unknown as Record<string, unknown>, 'connect', 'net.Socket.connect');
  wrapMethod(net.Server.prototype as unknown as Record<string, unknown>, 'listen', 'net.Server.listen');
  for (const name of ['request', 'get', 'createServer']) {
    wrapMethod(http, name, `http.${name}`);
    wrapMethod(https, name, `https.${name}`);
  }
  if (typeof globalThis.fetch === 'function') globalThis.fetch = guard('fetch', globalThis.fetch);
  // ESM named imports of builtins (`import { readFile } from 'node:fs'`) see the wrappers only after this.
  syncBuiltinESMExports();
}

/**
 * Whether Node's module loader made this call: `import()` of a task's module
 * reads it with the public `fs.promises.readFile`. That read is let through:
 * the runner repeats a run that loaded a module (see `runSchedule`), so it
 * shapes no run. Only a call about to be refused pays for the stack capture.
 */
function calledByModuleLoader(): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 12; // runs turn stack traces off
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return stack.includes('(node:internal/modules/');
}

/** Wraps every function an API object exports (lower-case names: classes stay as they are). */
function wrapAll(api: object, prefix: string): void {
  for (const name of Object.keys(api)) {
    if (/^[a-z]/.test(name)) wrapMethod(api as Record<string, unknown>, name, `${prefix}.${name}`);
  }
}

function wrapMethod(target: Record<string, unknown>, name: string, api: string): void {
  const original = target[name];
  if (typeof original !== 'function') return;
  const descriptor = Object.getOwnPropertyDescriptor(target, name);
  if (descriptor && !descriptor.writable && !descriptor.set) return;
  target[name] = guard(api, original as (...args: unknown[]) => unknown);
}

/** `original`, refusing when called inside a simulated run. Keeps its extra properties (`util.promisify.custom`, `__promisify__`). */
function guard<F extends (...args: never[]) => unknown>(api: string, original: F, promisified?: unknown): F {
  const guarded = function (this: unknown, ...args: unknown[]): unknown {
    if (active && !calledByModuleLoader()) active.refuse(api);
    return Reflect.apply(original, this, args);
  };
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'length' || key === 'name' || key === 'prototype' || (key === promisify.custom && promisified)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor) Object.defineProperty(guarded, key, descriptor);
  }
  Object.defineProperty(guarded, 'name', { value: original.name });
  if (promisified && promisify.custom in original) Object.defineProperty(guarded, promisify.custom, { value: promisified, configurable: true });
  return guarded as unknown as F;
}
