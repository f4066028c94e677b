import type { z } from 'zod';
import { InvalidConfigError } from '../errors.js';
import type { MailboxOptions } from '../mailbox/index.js';
import type { ActorContext } from './actor-context.js';
import type { SupervisionOptions } from './supervision.js';
import type { TerminatedNotice } from './events.js';

/**
 * Message schemas of an actor type, keyed by message type.
 *
 * @example
 * ```ts
 * const CounterMessages = { add: z.object({ by: z.number().int() }), get: z.object({}) } satisfies MessageSchemas;
 * ```
 */
export type MessageSchemas = Record<string, z.ZodType>;

/**
 * A handler per message type: receives the parsed payload; its return value is the reply to `ask`.
 *
 * @example
 * ```ts
 * const CounterMessages = { add: z.object({ by: z.number().int() }), get: z.object({}) } satisfies MessageSchemas;
 * const handlers: Handlers<{ count: number }, typeof CounterMessages> = {
 *   add: ({ by }, ctx) => { ctx.state.count += by; },
 *   get: (_payload, ctx) => ctx.state.count,
 * };
 * ```
 */
export type Handlers<TState, TMessages extends MessageSchemas> = {
  readonly [K in keyof TMessages]: (payload: z.output<TMessages[K]>, ctx: ActorContext<TState, TMessages>) => unknown;
};

/**
 * Lifecycle hooks; each may be async, and each runs as part of the actor's turns.
 *
 * @example
 * ```ts
 * const Poller = defineActor({
 *   name: 'poller',
 *   messages: { poll: z.object({}) },
 *   initialState: (_key: string) => ({ status: 'running', polls: 0 }),
 *   handlers: { poll: (_payload, ctx) => { ctx.state.polls += 1; } },
 *   onStart: (ctx) => { if (ctx.state.status === 'running') ctx.startTimer('poll', 5_000, { type: 'poll', payload: {} }, { repeat: true }); },
 *   onStop: (ctx, reason) => log.info(`poller ${ctx.key} stopped (${reason})`),
 * });
 * ```
 */
export interface LifecycleHooks<TState, TMessages extends MessageSchemas> {
  /**
   * Loads the actor's state when it activates and after every supervised
   * restart, for state kept outside steward's store (with `persistence`, the
   * runtime loads it). Return `undefined` to start from `initialState`. The mailbox waits
   * until it settles, so no message ever sees a half-loaded actor.
   */
  readonly load?: (key: string, ctx: ActorContext<TState, TMessages>) => Promise<TState | undefined> | TState | undefined;
  /** After the state is in place, before the first message. */
  readonly onStart?: (ctx: ActorContext<TState, TMessages>) => unknown;
  /**
   * When the actor stops for any reason (passivation included), after the
   * turn in hand (if any) has finished. `stateTrusted` is false when the
   * state may be inconsistent: after a crash (the `failed` reason), or when
   * the actor is stopped while activating or in a restart's backoff. Do not
   * save untrusted state (as OTP says of `terminate/2`).
   */
  readonly onStop?: (ctx: ActorContext<TState, TMessages>, reason: StopReason, info: StopInfo) => unknown;
  /** Before a supervised restart reloads the state. */
  readonly onRestart?: (ctx: ActorContext<TState, TMessages>, error: unknown) => unknown;
  /** A watched actor stopped for good (see `ctx.watch`). */
  readonly onTerminated?: (notice: TerminatedNotice, ctx: ActorContext<TState, TMessages>) => unknown;
}

/**
 * What `onStop` is told besides the reason.
 *
 * @example
 * ```ts
 * const onStop = async (ctx: ActorContext<{ count: number }, MessageSchemas>, _reason: string, { stateTrusted }: StopInfo) => {
 *   if (stateTrusted) await ctx.save();
 * };
 * ```
 */
export interface StopInfo {
  /** False after a crash, or while the state was not (re)loaded: do not save it. */
  readonly stateTrusted: boolean;
}

/**
 * Why an actor stopped. Only `passivated` is not final: the next message re-activates the actor.
 *
 * @example
 * ```ts
 * system.events.on('actor.stopped', ({ type, key, reason }) => {
 *   if (reason !== 'passivated') log.info(`${type}/${key} stopped for good (${reason})`);
 * });
 * ```
 */
export type StopReason = 'passivated' | 'stopped' | 'failed' | 'shutdown';

/**
 * Where an actor type keeps its state: one record per actor, `(collection,
 * key)`, loaded on activation and after every supervised restart, written by
 * `ctx.save()` through the system's persistence actor.
 *
 * @example
 * ```ts
 * const PollerStateSchema = z.object({ polls: z.number() });
 * defineActor({
 *   name: 'poller',
 *   messages: { poll: z.object({}) },
 *   initialState: (_key: string) => ({ polls: 0 }),
 *   handlers: { poll: async (_payload, ctx) => { ctx.state.polls += 1; await ctx.save(); } },
 *   persistence: { collection: 'pollers', schema: PollerStateSchema },
 * });
 * ```
 */
export interface ActorPersistenceOptions<TState> {
  readonly collection: string;
  /** Checks the stored state on load; a record that fails it fails the activation (and is never used). */
  readonly schema?: z.ZodType<TState>;
  /** Collections of child records this actor type owns (see `ctx.records`). */
  readonly owns?: readonly string[];
}

/**
 * Idle handling of an actor type.
 *
 * @example
 * ```ts
 * const Poller = defineActor({
 *   name: 'poller',
 *   messages: { poll: z.object({}) },
 *   initialState: (_key: string) => ({ polls: 0 }),
 *   handlers: { poll: (_payload, ctx) => { ctx.state.polls += 1; } },
 *   passivation: { idleAfterMs: 30_000 }, // the next message re-activates an idle poller
 * });
 * ```
 */
export interface PassivationOptions {
  /**
   * Stop an actor that handled no message for at least this long (idleness is
   * checked every `idleAfterMs`, so it may live up to twice as long); the next
   * message re-activates it.
   */
  readonly idleAfterMs: number;
}

/**
 * Everything that describes one actor type.
 *
 * @example
 * ```ts
 * const CounterMessages = { add: z.object({ by: z.number().int() }), get: z.object({}) } satisfies MessageSchemas;
 * const Counter = defineActor({
 *   name: 'counter',
 *   messages: CounterMessages,
 *   initialState: (_key: string) => ({ count: 0 }),
 *   handlers: { add: ({ by }, ctx) => { ctx.state.count += by; }, get: (_payload, ctx) => ctx.state.count },
 * });
 * ```
 */
export interface ActorSpec<TState, TMessages extends MessageSchemas, THandlers extends Handlers<TState, TMessages>>
  extends LifecycleHooks<TState, TMessages> {
  /** Unique name of the actor type in a system, e.g. `cook`. */
  readonly name: string;
  /** One zod schema per message type; payload types are inferred from them. */
  readonly messages: TMessages;
  /** Fresh state for a key. Annotate the parameter (`(key: string) => …`) so TypeScript infers the state type first. */
  readonly initialState: (key: string) => TState;
  readonly handlers: THandlers;
  readonly supervision?: SupervisionOptions;
  /** Keep the state in the store (see `ctx.save()`). An actor type with `persistence` has no `load` hook. */
  readonly persistence?: ActorPersistenceOptions<TState>;
  readonly passivation?: PassivationOptions;
  readonly mailbox?: MailboxOptions;
}

/**
 * An actor type, as returned by {@link defineActor}.
 *
 * @example
 * ```ts
 * function refsOf<TDef extends ActorDefinition>(definition: TDef, keys: readonly string[]): ActorRef<TDef>[] {
 *   return keys.map((key) => system.ref(definition, key));
 * }
 * const cooks = refsOf(Cook, ['autumn~ann', 'winter~bob']);
 * ```
 */
export interface ActorDefinition<
  TState = any,
  TMessages extends MessageSchemas = any,
  THandlers extends Handlers<TState, TMessages> = any,
> extends ActorSpec<TState, TMessages, THandlers> {
  readonly kind: 'steward.actor';
}

/**
 * State type of an actor definition.
 *
 * @example
 * ```ts
 * type CounterState = StateOf<typeof Counter>; // { count: number }
 * ```
 */
export type StateOf<TDef> = TDef extends ActorDefinition<infer TState, any, any> ? TState : never;
/**
 * Message type names of an actor definition.
 *
 * @example
 * ```ts
 * type CounterMessageType = MessageTypeOf<typeof Counter>; // 'add' | 'get'
 * ```
 */
export type MessageTypeOf<TDef> = TDef extends ActorDefinition<any, infer TMessages, any> ? keyof TMessages & string : never;
/**
 * Payload a sender passes for message type `K` (the schema's input type).
 *
 * @example
 * ```ts
 * type Add = PayloadOf<typeof Counter, 'add'>; // { by: number }
 * ```
 */
export type PayloadOf<TDef, K> =
  TDef extends ActorDefinition<any, infer TMessages, any> ? (K extends keyof TMessages ? z.input<TMessages[K]> : never) : never;
/**
 * Reply type of `ask` for message type `K`: the handler's return type, awaited.
 *
 * @example
 * ```ts
 * type Count = ReplyOf<typeof Counter, 'get'>; // number
 * ```
 */
export type ReplyOf<TDef, K> =
  TDef extends ActorDefinition<any, any, infer THandlers>
    ? K extends keyof THandlers
      ? THandlers[K] extends (...args: any[]) => infer TReturn
        ? Awaited<TReturn>
        : never
      : never
    : never;
/**
 * Any message of an actor definition, as `{ type, payload }`.
 *
 * @example
 * ```ts
 * const message: MessageOf<typeof Counter> = { type: 'add', payload: { by: 2 } };
 * ```
 */
export type MessageOf<TDef> =
  TDef extends ActorDefinition<any, infer TMessages, any>
    ? { [K in keyof TMessages & string]: { readonly type: K; readonly payload: z.input<TMessages[K]> } }[keyof TMessages & string]
    : never;

/**
 * Defines an actor type: its messages (zod schemas), its initial state, a
 * handler per message and optional lifecycle, supervision, passivation and
 * mailbox settings. Types of payloads, state and replies are all inferred.
 *
 * @example
 * ```ts
 * const Counter = defineActor({
 *   name: 'counter',
 *   messages: { add: z.object({ by: z.number().int() }), get: z.object({}) },
 *   initialState: (_key: string) => ({ count: 0 }),
 *   handlers: {
 *     add: ({ by }, ctx) => { ctx.state.count += by; },
 *     get: (_, ctx) => ctx.state.count,
 *   },
 * });
 * const total: number = await system.ref(Counter, 'a').ask('get', {});
 * ```
 */
export function defineActor<TState, TMessages extends MessageSchemas, THandlers extends Handlers<TState, TMessages>>(
  spec: ActorSpec<TState, TMessages, THandlers>,
): ActorDefinition<TState, TMessages, THandlers> {
  if (spec.load && spec.persistence) {
    // Both would load the state, and ctx.save() would write against a revision no one read.
    throw new InvalidConfigError(
      `actor type '${spec.name}' has both persistence (the runtime loads and saves its state) and a load hook (for state kept elsewhere): give one`,
    );
  }
  return Object.freeze({ ...spec, kind: 'steward.actor' as const });
}
