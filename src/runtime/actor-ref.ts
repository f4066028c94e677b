import type { ActorDefinition, MessageTypeOf, PayloadOf, ReplyOf } from './define-actor.js';
import type { UserEnvelope } from './envelope.js';
import { parseMessage } from './validation.js';

/**
 * Options of one `ask`.
 *
 * @example
 * ```ts
 * await ref.ask('get', {}, { timeoutMs: 500, signal: AbortSignal.timeout(1_000) });
 * ```
 */
export interface AskOptions {
  /** Reject with `ERR_ASK_TIMEOUT` after this long. Defaults to the system's `askTimeoutMs`. */
  readonly timeoutMs?: number;
  /** Reject with `ERR_ABORTED` when this signal aborts. */
  readonly signal?: AbortSignal;
}

/**
 * Options of a ref.
 *
 * @example
 * ```ts
 * const fast = system.ref(Counter, 'hot', { trusted: true }); // no zod parse per message
 * ```
 */
export interface RefOptions {
  /**
   * Skip zod validation of messages sent through this ref. Only for trusted
   * in-system senders that build complete, well-typed payloads: schema
   * defaults and transforms are not applied either.
   */
  readonly trusted?: boolean;
}

/** The live actor a ref last reached. @internal */
export interface CachedCell {
  readonly alive: boolean;
  post(envelope: UserEnvelope): void;
}

/** How a ref reaches its system. @internal */
export interface RefTarget {
  /** False once shutdown began: refs from outside the system are refused from then on. */
  readonly acceptsOutsideMessages: boolean;
  post(ref: ActorRef<ActorDefinition>, envelope: UserEnvelope): void;
  ask(ref: ActorRef<ActorDefinition>, type: string, payload: unknown, options: AskOptions | undefined): Promise<unknown>;
}

/**
 * The address of one actor, `(type, key)`. A ref stays valid across
 * passivation: the next message re-activates the actor. Messages are checked
 * against their zod schema before they are queued.
 *
 * @example
 * ```ts
 * const counter = system.ref(Counter, 'user-1');
 * counter.tell('add', { by: 2 });
 * const count = await counter.ask('get', {}, { timeoutMs: 1_000 });
 * ```
 */
export class ActorRef<TDef extends ActorDefinition = ActorDefinition> {
  /** @internal */
  cell: CachedCell | undefined;

  /** @internal */
  constructor(
    readonly definition: TDef,
    readonly key: string,
    private readonly target: RefTarget,
    private readonly trusted: boolean,
    /** Made inside the system (ctx.ref, self): still delivered while a shutdown drains. */
    readonly internal: boolean,
  ) {}

  /** Name of the actor type. */
  get type(): string {
    return this.definition.name;
  }

  /**
   * Sends a message and returns at once. Throws `ERR_INVALID_MESSAGE` for a
   * payload that fails its schema, `ERR_MAILBOX_FULL` when the mailbox
   * rejects it, `ERR_SYSTEM_STOPPED` after shutdown began.
   */
  tell<K extends MessageTypeOf<TDef>>(type: K, payload: PayloadOf<TDef, K>): void {
    const parsed = this.trusted ? payload : parseMessage(this.definition, type, payload);
    const envelope: UserEnvelope = { kind: 'user', type, payload: parsed, reply: undefined };
    const cell = this.cell;
    if (cell?.alive && (this.internal || this.target.acceptsOutsideMessages)) cell.post(envelope);
    else this.target.post(this as ActorRef<ActorDefinition>, envelope);
  }

  /**
   * Sends a message and waits for the handler's return value. Rejects with
   * `ERR_INVALID_MESSAGE`, `ERR_ASK_TIMEOUT`, `ERR_ABORTED`,
   * `ERR_ACTOR_STOPPED`, `ERR_MAILBOX_FULL`, `ERR_SYSTEM_STOPPED`, or
   * `ERR_HANDLER_FAILED` with the handler's error as `cause`.
   */
  ask<K extends MessageTypeOf<TDef>>(type: K, payload: PayloadOf<TDef, K>, options?: AskOptions): Promise<ReplyOf<TDef, K>> {
    let parsed: unknown = payload;
    if (!this.trusted) {
      try {
        parsed = parseMessage(this.definition, type, payload);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.target.ask(this as ActorRef<ActorDefinition>, type, parsed, options) as Promise<ReplyOf<TDef, K>>;
  }

  toString(): string {
    return `${this.type}/${this.key}`;
  }
}
