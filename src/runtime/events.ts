import mittModule, { type Emitter } from 'mitt';
import type { StopReason } from './define-actor.js';

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
 * defineActor({ ...spec, onTerminated: ({ type, key, reason }, ctx) => void ctx.state.notices.push(`${type}/${key}: ${reason}`) });
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
export type DeadLetterReason = 'stopped' | 'failed' | 'shutdown' | 'overflow';

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
  'actor.crashed': ActorAddress & { readonly messageType: string | undefined; readonly error: unknown };
  'actor.restarted': ActorAddress & { readonly attempt: number; readonly delayMs: number };
  /** A task the actor started ended in failure (timeout, crash, a throw, a refusal); not sent for the actor's own cancels. */
  'task.failed': ActorAddress & { readonly pool: string; readonly task: string; readonly code: string };
  'dead.letter': ActorAddress & { readonly messageType: string; readonly reason: DeadLetterReason };
  'mailbox.overflow': ActorAddress & { readonly messageType: string; readonly policy: string; readonly depth: number };
};

/**
 * The typed mitt emitter a system exposes as `system.events`.
 *
 * @example
 * ```ts
 * const bus: RuntimeEventBus = system.events;
 * bus.on('task.failed', ({ type, key, pool, task, code }) => log.warn({ type, key, pool, task }, code));
 * ```
 */
export type RuntimeEventBus = Emitter<RuntimeEvents>;

// mitt ships ESM at run time but CommonJS-flavoured typings, which NodeNext reads as a namespace.
const mitt = mittModule as unknown as typeof mittModule.default;

/**
 * Creates a runtime event bus.
 * @internal
 */
export function createEventBus(): RuntimeEventBus {
  return mitt<RuntimeEvents>();
}
