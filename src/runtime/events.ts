import mittModule, { type Emitter } from 'mitt';
import type { StopReason } from './define-actor.js';
import type { TaskPoolIncident, TaskPoolPort } from './ports/index.js';

/**
 * Identifies one actor: its type name and key.
 *
 * @example
 * ```ts
 * const describeActor = ({ type, key }: ActorAddress) => `${type}/${key}`;
 * system.events.on('actor.started', (address) => log.debug(`${describeActor(address)} is live`));
 * ```
 */
export interface ActorAddress {
  readonly type: string;
  readonly key: string;
}

/**
 * Delivered to watchers (`onTerminated`) when a watched actor stops for good.
 *
 * @example
 * ```ts
 * defineActor({
 *   name: 'watcher',
 *   messages: { watch: z.object({}) },
 *   initialState: (_key: string) => ({ notices: [] as string[] }),
 *   handlers: { watch: () => {} },
 *   onTerminated: ({ type, key, reason }, ctx) => void ctx.state.notices.push(`${type}/${key}: ${reason}`),
 * });
 * ```
 */
export interface TerminatedNotice extends ActorAddress {
  readonly reason: Exclude<StopReason, 'passivated'>;
}

/**
 * Why a message could not be delivered: its actor was stopped for good
 * (`stopped`), or by its supervisor after a failure (`failed`: the `stop`
 * strategy, or the restart limit), the system is shutting down, or the
 * mailbox's overflow policy dropped it.
 *
 * @example
 * ```ts
 * system.events.on('dead.letter', ({ type, key, messageType, reason }) => log.warn(`${type}/${key} dropped '${messageType}' (${reason})`));
 * ```
 */
export type DeadLetterReason = 'stopped' | 'failed' | 'shutdown' | 'overflow' | 'unreachable';

/**
 * Events on the runtime's bus. Payloads carry ids and message types, never
 * message payloads, so secrets in messages cannot leak through events.
 *
 * @example
 * ```ts
 * system.events.on('actor.crashed', ({ type, key, messageType, error }) => log.warn({ type, key, messageType }, String(error)));
 * ```
 */
export type RuntimeEvents = {
  'actor.started': ActorAddress;
  /** The store became unusable for good (its directory lock was lost, `ERR_LOCK_LOST`); the system shuts itself down. */
  'persistence.lost': { readonly code: string; readonly message: string };
  'actor.stopped': ActorAddress & { readonly reason: StopReason };
  /** The system's ownership port lost the actor's entity (`code`: why, e.g. `ERR_FENCED`, `ERR_LEASE_EXPIRED`); the actor passivates. */
  'actor.deactivated': ActorAddress & { readonly code: string };
  'actor.crashed': ActorAddress & { readonly messageType: string | undefined; readonly error: unknown };
  'actor.restarted': ActorAddress & { readonly attempt: number; readonly delayMs: number };
  /** A task the actor started ended in failure (timeout, crash, a throw, a refusal); not sent for the actor's own cancels. */
  'task.failed': ActorAddress & {
    readonly pool: string;
    readonly task: string;
    readonly code: string;
    /** The reason, without text the task produced (it may hold what the task was given). */
    readonly message: string;
    /** The task's module (`file:` URL) and the export that ran or was looked for. */
    readonly module: string;
    readonly export: string;
  };
  'dead.letter': ActorAddress & { readonly messageType: string; readonly reason: DeadLetterReason };
  'mailbox.overflow': ActorAddress & { readonly messageType: string; readonly policy: string; readonly depth: number };
  /** A pool of the system had an incident: a thread recycled (`ERR_THREAD_RECYCLED`), a thread failed outside any task (`ERR_POOL_THREAD_ERROR`). */
  'pool.incident': { readonly pool: string; readonly code: string; readonly error: TaskPoolIncident };
};

/**
 * The typed mitt emitter a system exposes as `system.events`. Listeners run
 * synchronously, in the order they were added; one that throws cannot stop
 * the others or the runtime (its error goes to {@link ListenerErrorHandler}).
 *
 * @example
 * ```ts
 * const bus: RuntimeEventBus = system.events;
 * bus.on('task.failed', ({ type, key, pool, task, code }) => log.warn({ type, key, pool, task }, code));
 * ```
 */
export type RuntimeEventBus = Emitter<RuntimeEvents>;

/**
 * Told of each error a `system.events` listener throws, with the event it was
 * listening to. The runtime goes on as if the listener had returned. Default:
 * a process warning (code `ERR_LISTENER_FAILED`).
 *
 * @example
 * ```ts
 * new ActorSystem({ onListenerError: (error, event) => log.error({ event }, String(error)) });
 * ```
 */
export type ListenerErrorHandler = (error: unknown, event: keyof RuntimeEvents) => void;

// mitt ships ESM at run time but CommonJS-flavoured typings, which NodeNext reads as a namespace.
const mitt = mittModule as unknown as typeof mittModule.default;

type AnyHandler = (...args: unknown[]) => void;

/**
 * Creates a runtime event bus whose `emit` never throws: the runtime emits
 * in the middle of its own bookkeeping (a crash before supervision decides,
 * a stop before watchers are told), so a listener's throw must not unwind it.
 * @internal
 */
export function createEventBus(
  onListenerError: ListenerErrorHandler = warnListenerError,
  observe?: <K extends keyof RuntimeEvents>(type: K, event: RuntimeEvents[K]) => void,
): RuntimeEventBus {
  const bus = mitt<RuntimeEvents>();
  const report = (error: unknown, event: keyof RuntimeEvents): void => {
    try {
      onListenerError(error, event);
    } catch (reportError) {
      warnListenerError(reportError, event); // the reporter failed too: still never swallowed
    }
  };
  const emit = (type: keyof RuntimeEvents, event: unknown): void => {
    observe?.(type, event as RuntimeEvents[typeof type]);
    const handlers = bus.all.get(type) as AnyHandler[] | undefined;
    if (handlers) {
      for (const handler of handlers.slice()) {
        try {
          handler(event);
        } catch (error) {
          report(error, type);
        }
      }
    }
    const wildcards = bus.all.get('*') as AnyHandler[] | undefined;
    if (wildcards) {
      for (const handler of wildcards.slice()) {
        try {
          handler(type, event);
        } catch (error) {
          report(error, type);
        }
      }
    }
  };
  bus.emit = emit as RuntimeEventBus['emit'];
  return bus;
}

/**
 * Forwards the incidents of `pools` that can report them to `events` as
 * `pool.incident`; while nobody listens there, each becomes a process
 * warning, as it would without a system, so none is swallowed.
 * @internal
 */
export function forwardPoolIncidents(pools: Readonly<Record<string, TaskPoolPort>>, events: RuntimeEventBus): void {
  for (const [pool, port] of Object.entries(pools)) {
    port.onIncident?.((error) => {
      if (events.all.get('pool.incident')?.length || events.all.get('*')?.length) events.emit('pool.incident', { pool, code: error.code, error });
      else process.emitWarning(error);
    });
  }
}

function warnListenerError(error: unknown, event: keyof RuntimeEvents): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.emitWarning(`a listener of '${event}' threw (the runtime went on): ${reason}`, {
    type: 'StewardWarning',
    code: 'ERR_LISTENER_FAILED',
    detail: error instanceof Error ? error.stack : undefined,
  });
}
