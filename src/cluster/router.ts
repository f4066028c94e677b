/**
 * Where a message for `(type, key)` goes: to the local actor when this node
 * holds (or can take) the entity's lease, otherwise to the owner node over
 * HTTP. A message for an entity whose owner is gone waits for its lease to
 * run out and is then delivered once, here or at the new owner. Every try is
 * bounded by the message's own deadline; only tries that cannot have been
 * handled are made again.
 * @internal
 */
import { SystemStoppedError } from '../errors.js';
import type { Clock, RoutedMessage } from '../runtime/ports/index.js';
import { ForwardFailedError, RemoteError } from './errors.js';
import type { ForwardResult } from './forward-client.js';
import { toWire, type ForwardRequest, type ForwardResponse } from './forward-protocol.js';
import type { LeaseOwnership } from './lease-ownership.js';
import type { Lease } from './leases.js';

/** Where each node can be reached (`NodeRegistry` on PostgreSQL; the simulator's in-memory one). @internal */
export interface NodeDirectory {
  /** The node's registered address, if it is registered. */
  address(node: string): Promise<string | undefined>;
  /** The node could not be reached: look its address up again next time. */
  forget(node: string): void;
}

/** What carries a forward to another node (`ForwardClient` over HTTP; the simulator's steps). @internal */
export interface ForwardTransport {
  /**
   * Whether the request was sent and the owner's answer; rejects `ERR_FORWARD_FAILED` once it may have been handled without an answer
   * coming back, and `ERR_UNAUTHORIZED` when the owner refused it unread (the caller gets that error: a tell becomes a dead letter).
   */
  send(address: string, request: ForwardRequest): Promise<ForwardResult>;
}

/** What a router works with. @internal */
export interface RouterParts {
  readonly node: string;
  /** False once the node's system shuts down: forwards to it are turned away then. */
  readonly running: () => boolean;
  readonly ownership: LeaseOwnership;
  readonly registry: NodeDirectory;
  readonly client: ForwardTransport;
  /** The node's clock: bounds and pauses run on its monotonic time. */
  readonly clock: Clock;
  /** Longest wait for one forward's answer (an owner frozen with it cannot hold the caller to its whole deadline). */
  readonly forwardTimeoutMs: number;
  /** Bound of a tell the node's actors send (from when it is sent, takeover waits included). */
  readonly tellTimeoutMs: number;
}

/** Most owners remembered; past it the oldest is forgotten (it costs one lease look-up to find again). */
const MAX_KNOWN_OWNERS = 10_000;

type Delivery = { readonly delivered: true; readonly value: unknown } | { readonly delivered: false };
const AGAIN: Delivery = { delivered: false };

/** @internal */
export class Router {
  /** The last owner seen per entity, so a forward to a stable owner costs no database round trip. */
  readonly #owners = new Map<string, string>();
  /** Per entity, the last tell of this node's actors still on its way: the next one leaves after it, so tells keep their order. */
  readonly #tells = new Map<string, Promise<void>>();

  constructor(private readonly parts: RouterParts) {}

  /**
   * A message of this node's own actors or refs for an entity it does not
   * hold (handed over by the system's ownership port): an ask is routed at
   * once and answered through its reply; a tell leaves after the previous
   * tell to the same entity and becomes a dead letter if no owner takes it
   * within the tell bound.
   */
  accept(routed: RoutedMessage): void {
    const { type, key, message, payload, reply } = routed;
    if (reply) {
      reply.taken = true; // from here on it may reach a handler on another node: a timeout cannot say it did not
      this.#route(type, key, message, payload, 'ask', reply.remainingMs(), () => reply.settled, false).then(
        (value) => reply.resolve(value),
        (error: unknown) => reply.reject(error),
      );
      return;
    }
    const entity = entityOf(type, key);
    const clock = this.parts.clock;
    const deadline = clock.monotonic() + this.parts.tellTimeoutMs;
    const previous = this.#tells.get(entity) ?? Promise.resolve();
    const sent = previous.then(() => this.#route(type, key, message, payload, 'tell', deadline - clock.monotonic(), undefined, true)).then(
      () => undefined,
      () => routed.undelivered(),
    );
    this.#tells.set(entity, sent);
    void sent.then(() => {
      if (this.#tells.get(entity) === sent) this.#tells.delete(entity);
    });
  }

  /**
   * Delivers a tell or ask from this node's callers (`ClusterRef`: checked
   * here, before this node may take a lease for it), wherever its entity is
   * owned; stops waiting for an owner once `gaveUp` says so.
   */
  async route(type: string, key: string, message: string, payload: unknown, mode: 'tell' | 'ask', timeoutMs: number, gaveUp?: () => boolean): Promise<unknown> {
    this.parts.ownership.check(type, message, payload);
    return this.#route(type, key, message, payload, mode, timeoutMs, gaveUp, false);
  }

  /** Whether tells of this node's actors to `(type, key)` are still on their way: a tell sent now must leave after them. */
  pending(type: string, key: string): boolean {
    return this.#tells.has(entityOf(type, key));
  }

  /** `chained`: one of the node's queued tells (see {@link accept}); anything else delivered here waits for those first. */
  async #route(type: string, key: string, message: string, payload: unknown, mode: 'tell' | 'ask', timeoutMs: number, gaveUp: (() => boolean) | undefined, chained: boolean): Promise<unknown> {
    const clock = this.parts.clock;
    const started = clock.monotonic();
    let pause = 5;
    for (;;) {
      const remaining = timeoutMs - (clock.monotonic() - started);
      if (remaining <= 0) throw new ForwardFailedError(`No owner of ${type}/${key} took '${message}' within ${Math.max(0, Math.round(timeoutMs))} ms.`);
      // A closing node makes no new try: it would take leases after releasing them all, or use its pool after it ended.
      if (!this.parts.running()) throw new SystemStoppedError(`${this.parts.node} is closing: '${message}' to ${type}/${key} was not delivered.`);
      const entity = entityOf(type, key);
      // A lease held here outranks a remembered owner: that one has given the entity up.
      let owner = this.parts.ownership.live(type, key) ? undefined : this.#owners.get(entity);
      let wait = 0;
      if (owner === undefined) {
        const lease = await this.#take(type, key);
        if (lease.local) {
          const delivery = await this.#local(type, key, message, payload, mode, remaining, chained);
          if (delivery.delivered) return delivery.value;
          continue;
        }
        owner = lease.owner;
        wait = lease.remainingMs;
      }
      const request: ForwardRequest = { type, key, message, payload, mode, timeoutMs: Math.max(1, Math.ceil(Math.min(remaining, this.parts.forwardTimeoutMs))) };
      const answer = await this.#forward(owner, request);
      if (answer) {
        this.#remember(entity, owner);
        if (answer.outcome === 'reply') return answer.reply;
        if (answer.outcome === 'error') throw new RemoteError(answer.error, owner);
      }
      this.#owners.delete(entity);
      // The owner gave the entity up (look again soon), or cannot be reached: it may be dead, so look again once its lease can have run out (bounded by the deadline).
      await sleep(clock, Math.min(answer ? pause : Math.max(pause, wait), remaining));
      if (gaveUp?.()) throw new ForwardFailedError(`The caller of '${message}' to ${type}/${key} gave up while it waited for an owner.`);
      pause = Math.min(pause * 2, 100);
    }
  }

  /** A message forwarded by another node: delivered here if this node owns the entity (or can take it), never forwarded again. */
  async serve(request: ForwardRequest): Promise<ForwardResponse> {
    if (!this.parts.running()) return { outcome: 'not-owner', owner: 'none' }; // closing: its leases are about to be released
    if (!this.parts.ownership.knows(request.type)) return { outcome: 'error', error: { name: 'InvalidMessageError', code: 'ERR_INVALID_MESSAGE', message: `No actor type '${request.type}' on ${this.parts.node}.` } };
    // Bad input is refused before a lease is taken for it: one taken here with no actor to run under it would never be released.
    try {
      this.parts.ownership.check(request.type, request.message, request.payload);
    } catch (error) {
      return { outcome: 'error', error: toWire(error) };
    }
    // This node cannot tell whether it owns the entity (its database unreachable): not delivered, so the sender may look again.
    const lease = await this.#take(request.type, request.key).catch(() => undefined);
    if (!lease?.local) return { outcome: 'not-owner', owner: lease?.owner ?? 'none' };
    try {
      const delivery = await this.#local(request.type, request.key, request.message, request.payload, request.mode, request.timeoutMs, false);
      return delivery.delivered ? { outcome: 'reply', reply: delivery.value } : { outcome: 'not-owner', owner: 'none' };
    } catch (error) {
      return { outcome: 'error', error: toWire(error) };
    }
  }

  #remember(entity: string, owner: string): void {
    this.#owners.delete(entity);
    this.#owners.set(entity, owner);
    if (this.#owners.size > MAX_KNOWN_OWNERS) this.#owners.delete(this.#owners.keys().next().value as string);
  }

  /** This node's live lease on the entity, taken if free; else who owns it and for how long. */
  async #take(type: string, key: string): Promise<{ local: true; lease: Lease } | { local: false; owner: string; remainingMs: number }> {
    const live = this.parts.ownership.live(type, key);
    if (live) return { local: true, lease: live };
    const outcome = await this.parts.ownership.acquire(type, key);
    return outcome.held ? { local: true, lease: outcome.lease } : { local: false, owner: outcome.owner, remainingMs: outcome.remainingMs };
  }

  /**
   * Hands the message to the local actor; not delivered (try again) if the
   * lease went while it waited, so it was never handled. Unless `chained`,
   * it first lets this node's tells still on their way to the entity go
   * ahead: an actor activated here before them would take later tells
   * straight into its mailbox, ahead of those.
   */
  async #local(type: string, key: string, message: string, payload: unknown, mode: 'tell' | 'ask', timeoutMs: number, chained: boolean): Promise<Delivery> {
    const tells = chained ? undefined : this.#tells.get(entityOf(type, key));
    if (tells) {
      const clock = this.parts.clock;
      const waited = clock.monotonic();
      await tells;
      timeoutMs -= clock.monotonic() - waited;
      if (timeoutMs <= 0 || !this.parts.ownership.live(type, key)) return AGAIN;
    }
    const before = this.parts.ownership.live(type, key);
    try {
      return { delivered: true, value: await this.parts.ownership.deliver(type, key, message, payload, mode, timeoutMs) };
    } catch (error) {
      if (mode === 'ask' && neverHandled(error) && this.parts.ownership.live(type, key) !== before) return AGAIN;
      throw error;
    }
  }

  /** The owner's answer, or undefined if the owner could not be reached before sending (it may be dead). */
  async #forward(owner: string, request: ForwardRequest): Promise<ForwardResponse | undefined> {
    if (owner === this.parts.node || owner === 'none') return undefined;
    const address = await this.parts.registry.address(owner);
    if (!address) return undefined;
    const result = await this.parts.client.send(address, request);
    if (result.sent) return result.response;
    this.parts.registry.forget(owner);
    return undefined;
  }
}

/** A message dead-lettered because its actor was deactivated, or whose write was fenced: nothing of it is durable. */
function neverHandled(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: { code?: unknown } };
  return e.code === 'ERR_ACTOR_STOPPED' || (e.code === 'ERR_HANDLER_FAILED' && e.cause?.code === 'ERR_FENCED');
}

/** The entity's key in the router's maps: unambiguous whatever `type` and `key` contain. */
function entityOf(type: string, key: string): string {
  return `${type.length}:${type}/${key}`;
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}
