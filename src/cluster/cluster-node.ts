/**
 * One node of a cluster: an `ActorSystem` on a shared PostgreSQL schema,
 * whose actors run only under leases this node holds, whose writes are
 * fenced, and which takes messages forwarded by the other nodes.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import pg from 'pg';
import { ActorSystem, InvalidConfigError, realClock, type ActorDefinition, type ActorSystemOptions, type Clock } from '../index.js';
import { Persistence, PgStore } from '../persistence/index.js';
import { ClusterRef } from './cluster-ref.js';
import { FencedStatePort } from './fenced-state.js';
import { ForwardClient } from './forward-client.js';
import { listenForForwards } from './forward-server.js';
import { LeaseOwnership } from './lease-ownership.js';
import { Leases } from './leases.js';
import { PgLeaseTable } from './pg-lease-table.js';
import { NodeRegistry } from './node-registry.js';
import { RoutedOwnership } from './routed-ownership.js';
import { Router } from './router.js';

/**
 * Options of {@link ClusterNode.start}.
 *
 * @example
 * ```ts
 * await ClusterNode.start({ connectionString: process.env['DATABASE_URL'] ?? 'postgres://127.0.0.1/app', actors: [Cook], leaseTtlMs: 10_000 });
 * ```
 */
export interface ClusterNodeOptions {
  /** Where PostgreSQL is. Ignored when `pool` is given. */
  readonly connectionString?: string;
  /** A pool you own (the node never ends it). */
  readonly pool?: pg.Pool;
  /** The schema every node of the cluster shares. Default `steward`. */
  readonly schema?: string;
  /** Unique per process incarnation. Default `<hostname>-<pid>-<random>`. */
  readonly nodeId?: string;
  /** Every actor type a message may be forwarded to this node for (the node's system knows them by name from the start). */
  readonly actors: readonly ActorDefinition[];
  /** Where the forwarding endpoint listens. Default `127.0.0.1`, port 0 (any free port). */
  readonly host?: string;
  readonly port?: number;
  /** Lease length by PostgreSQL's clock; a dead node's entities move after at most this long. Default 10,000 ms. */
  readonly leaseTtlMs?: number;
  /** How much sooner this node gives a lease up by its own clock. Default ttl / 5. */
  readonly leaseMarginMs?: number;
  /**
   * PostgreSQL ends a commit transaction this node leaves idle this long
   * (frozen or cut off mid-commit), so it cannot hold every node's commits
   * past its lease. Too short for a loaded machine fails slow commits
   * (`ERR_PERSIST_FAILED`). Default ttl / 2.
   */
  readonly transactionIdleTimeoutMs?: number;
  /** Bound of every tell and ask through {@link ClusterNode.ref}, and of every tell the node's actors send to another node, forwarding and takeover waits included. Default 5,000 ms. */
  readonly askTimeoutMs?: number;
  /**
   * Longest wait for the owner's answer to one forwarded message; past it
   * the caller gets `ERR_FORWARD_FAILED` (the owner may be frozen: whether it
   * handled the message is unknown, so it is not resent). Default: the lease ttl.
   */
  readonly forwardTimeoutMs?: number;
  /**
   * The secret every node of the cluster shares, at least 16 characters.
   * Default `process.env.STEWARD_FORWARD_SECRET` (unset or empty: none).
   * A node with a secret signs every forward it sends (HMAC-SHA256 of the
   * body and a timestamp, in the `steward-signature` header, as the cook
   * webhook is signed) and requires that signature on every forward it
   * takes: one unsigned, signed with another secret, or signed more than 5
   * minutes away from this node's clock is answered 401 `ERR_UNAUTHORIZED`
   * before its body is parsed, and delivers nothing; the sender's caller
   * gets an `UnauthorizedError`. A node without a secret signs nothing and
   * takes every forward, so give every node the same secret. Bodies are
   * signed, not encrypted: keep the endpoint on a private network or an
   * encrypted link.
   *
   * @example
   * ```ts
   * import { readFileSync } from 'node:fs';
   * const forwardSecret = readFileSync('/run/secrets/steward-forward', 'utf8').trim(); // the same on every node
   * await ClusterNode.start({ connectionString: 'postgres://127.0.0.1/app', actors: [Counter], forwardSecret });
   * ```
   */
  readonly forwardSecret?: string;
  /** The rest of the system's options (its persistence and ownership are the node's). */
  readonly system?: Omit<ActorSystemOptions, 'persistence' | 'ownership'>;
}

/**
 * A node: start one per process on the shared schema, and send through {@link ClusterNode.ref}.
 *
 * @example
 * ```ts
 * const node = await ClusterNode.start({ connectionString: 'postgres://127.0.0.1/app', actors: [Counter] });
 * console.log(await node.ref(Counter, 'user-1').ask('add', { by: 1 }));
 * await node.close();
 * ```
 */
export class ClusterNode {
  #closing: Promise<void> | undefined;

  private constructor(
    /** This node's id, as in its leases and its `steward_nodes` row. */
    readonly id: string,
    /** Where other nodes forward messages to (`http://host:port`). */
    readonly address: string,
    /** The node's actor system: its refs and its actors' `ctx.ref` reach an entity wherever it is owned, as {@link ClusterNode.ref} does. */
    readonly system: ActorSystem,
    /** The node's PostgreSQL store. */
    readonly store: PgStore,
    private readonly parts: {
      readonly pool: pg.Pool;
      readonly ownsPool: boolean;
      readonly leases: Leases;
      readonly ownership: LeaseOwnership;
      readonly registry: NodeRegistry;
      readonly client: ForwardClient;
      readonly router: Router;
      readonly server: Server;
      readonly heartbeat: NodeJS.Timeout;
      readonly askTimeoutMs: number;
    },
  ) {}

  /** Opens the store (migrating the schema), starts the endpoint and registers the node. */
  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const secret = options.forwardSecret ?? (process.env['STEWARD_FORWARD_SECRET'] || undefined);
    if (secret !== undefined && secret.length < 16) {
      throw new InvalidConfigError('ClusterNode.start needs a forwardSecret (or STEWARD_FORWARD_SECRET) of at least 16 characters: it signs every forward between nodes.');
    }
    const schema = options.schema ?? 'steward';
    const id = options.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    const ttlMs = options.leaseTtlMs ?? 10_000;
    const marginMs = options.leaseMarginMs ?? ttlMs / 5;
    const pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: 10 });
    if (!options.pool) pool.on('error', () => undefined); // a dropped idle connection is replaced on next use
    const store = await PgStore.open({ pool, schema, transactionIdleTimeoutMs: options.transactionIdleTimeoutMs ?? Math.max(1, Math.floor(ttlMs / 2)) });
    const persistence = new Persistence(store);
    const leases = new Leases({ table: new PgLeaseTable({ pool, schema }), node: id, ttlMs, marginMs });
    const ownership = new LeaseOwnership(leases, { renewEveryMs: ttlMs / 3, checkEveryMs: Math.max(1, marginMs / 2) });
    const registry = new NodeRegistry({ pool, schema, node: id, ttlMs });
    const clock = options.system?.clock ?? realClock;
    const auth = { secret, clock };
    const client = new ForwardClient(auth);
    const askTimeoutMs = options.askTimeoutMs ?? 5_000;
    let system: ActorSystem | undefined;
    const router = new Router({
      node: id,
      running: () => system?.running ?? false,
      ownership,
      registry,
      client,
      clock,
      forwardTimeoutMs: options.forwardTimeoutMs ?? ttlMs,
      tellTimeoutMs: askTimeoutMs,
    });
    const reminders = options.system?.reminders && { watchEveryMs: ttlMs / 2, ...options.system.reminders };
    system = new ActorSystem({
      ...options.system,
      actors: [...options.actors, ...(options.system?.actors ?? [])],
      ...(reminders ? { reminders } : {}),
      persistence: new FencedStatePort(persistence, ownership),
      ownership: new RoutedOwnership(ownership, router),
    });
    const { server, address } = await listenForForwards(options.host ?? '127.0.0.1', options.port ?? 0, auth, (request) => router.serve(request));
    await registry.register(address);
    const heartbeat = setInterval(() => void registry.heartbeat().catch(() => undefined), ttlMs / 3);
    heartbeat.unref();
    ownership.start();
    return new ClusterNode(id, address, system, store, { pool, ownsPool: !options.pool, leases, ownership, registry, client, router, server, heartbeat, askTimeoutMs });
  }

  /** A ref to `(definition, key)` wherever it is owned. `definition` must be one of the node's `actors`. */
  ref<TDef extends ActorDefinition>(definition: TDef, key: string): ClusterRef<TDef> {
    return new ClusterRef(definition, key, this.parts.router, this.parts.askTimeoutMs);
  }

  /** The leases this node holds now. */
  owned(): Array<{ readonly type: string; readonly key: string; readonly token: number }> {
    return this.parts.leases.held().map(({ type, key, token }) => ({ type, key, token }));
  }

  /**
   * The node's clock (its system's).
   *
   * @example
   * ```ts
   * declare const node: ClusterNode;
   * const startedAt = node.clock.now();
   * ```
   */
  get clock(): Clock {
    return this.system.clock;
  }

  /** Stops taking forwards, shuts the system down, releases every lease and leaves the registry. Every call returns the same promise. */
  close(): Promise<void> {
    return (this.#closing ??= this.#close());
  }

  async #close(): Promise<void> {
    const { server, ownership, leases, registry, client, pool, ownsPool, heartbeat } = this.parts;
    clearInterval(heartbeat);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await this.system.shutdown();
    ownership.stop();
    await leases.releaseAll().catch(() => undefined);
    await registry.deregister().catch(() => undefined);
    server.closeAllConnections();
    await closed;
    await client.close();
    if (ownsPool) await pool.end();
  }
}
