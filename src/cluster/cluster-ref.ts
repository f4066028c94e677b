/**
 * A ref to an entity of the cluster: its messages reach the actor on the
 * node that owns the entity, wherever that is.
 */
import type { ActorDefinition, MessageTypeOf, PayloadOf, ReplyOf } from '../index.js';
import type { Router } from './router.js';

/**
 * A typed handle on `(definition, key)` across nodes; get one from {@link ClusterNode.ref}.
 *
 * @example
 * ```ts
 * declare const node: ClusterNode;
 * const counter = node.ref(Counter, 'user-1');
 * await counter.tell('add', { by: 1 }); // resolves once the owner's mailbox has it
 * console.log(await counter.ask('get', {}, { timeoutMs: 2_000 }));
 * ```
 */
export class ClusterRef<TDef extends ActorDefinition> {
  constructor(
    readonly definition: TDef,
    readonly key: string,
    private readonly router: Router,
    private readonly timeoutMs: number,
  ) {}

  /** Sends a message; resolves once it is queued at the owner (`ERR_FORWARD_FAILED` if no owner took it within the node's ask timeout, `ERR_UNAUTHORIZED` if the owner refused this node's signature). */
  async tell<K extends MessageTypeOf<TDef>>(type: K, payload: PayloadOf<TDef, K>): Promise<void> {
    await this.router.route(this.definition.name, this.key, type, payload, 'tell', this.timeoutMs);
  }

  /**
   * Asks the owner and resolves with its reply. Errors keep their codes: raised
   * on this node, as themselves; raised on the owner, as a `RemoteError` with
   * the owner's `name`, `code` and message.
   */
  ask<K extends MessageTypeOf<TDef>>(type: K, payload: PayloadOf<TDef, K>, options: { readonly timeoutMs?: number } = {}): Promise<ReplyOf<TDef, K>> {
    return this.router.route(this.definition.name, this.key, type, payload, 'ask', options.timeoutMs ?? this.timeoutMs) as Promise<ReplyOf<TDef, K>>;
  }
}
