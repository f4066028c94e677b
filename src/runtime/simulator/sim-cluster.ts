/**
 * Several node systems in one simulated world, as a cluster on one database:
 * one shared store and one lease table (on the world's virtual clock, the
 * database's only clock), and per node an `ActorSystem` wired as a real
 * cluster node is (leases, the ownership port, fenced writes), whose turns,
 * timers, statements and commits are steps the strategy orders. A node can
 * be frozen past its lease or killed; a killed node comes back as a new
 * incarnation with a new node id, as a restarted process would. Routed, the
 * nodes forward messages to each other as cluster nodes do.
 */
import { LeaseOwnership } from '../../cluster/lease-ownership.js';
import { Leases } from '../../cluster/leases.js';
import { FencedStatePort } from '../../cluster/fenced-state.js';
import { MemoryLeaseTable } from '../../cluster/memory-lease-table.js';
import { RoutedOwnership } from '../../cluster/routed-ownership.js';
import { Router } from '../../cluster/router.js';
import { MemoryStore } from '../../persistence/memory-store.js';
import { Persistence } from '../../persistence/persistence.js';
import { ActorSystem } from '../actor-system.js';
import { SeededRandom } from '../random.js';
import { NodeLeaseTable } from './node-lease-table.js';
import { NodeStore } from './node-store.js';
import { OwnershipAudit } from './ownership-audit.js';
import { SimulatedDirectory, SimulatedTransport } from './sim-forwarding.js';
import { NodeClock, NodeProcess } from './sim-node.js';
import type { SimulationWorld } from './world.js';
import type { Clock } from '../clock.js';

/** Every simulated node by its clock, so that an actor's turn finds its node by `ctx.clock` ({@link SimulatedCluster.turnBegins}). */
const nodeByClock = new WeakMap<Clock, { readonly cluster: SimulatedCluster; readonly node: SimulatedNode }>();

/** Options of {@link SimulatedCluster}. @internal */
export interface SimulatedClusterOptions {
  /** Node slots (each holds one live incarnation at a time). */
  readonly nodes: number;
  readonly leaseTtlMs: number;
  /** Default ttl / 5, as on a real node. */
  readonly leaseMarginMs?: number;
  /** The node systems' ask timeout (virtual ms). Default 5,000. */
  readonly askTimeoutMs?: number;
  /** Whether commits check their fence. Default true; false is the unfenced fixture that shows what fencing prevents. */
  readonly checkFences?: boolean;
  /**
   * Whether the nodes route messages as a `ClusterNode` does: each node's
   * real `Router` behind its ownership port, forwarding over the world's
   * steps (sim-forwarding.ts). Default false: a message activates its actor
   * on the node it was sent to, or is refused there.
   */
  readonly routed?: boolean;
}

/** One incarnation of a node: its process and its system. @internal */
export interface SimulatedNode {
  readonly id: string;
  readonly process: NodeProcess;
  readonly system: ActorSystem;
  readonly leases: Leases;
  readonly ownership: LeaseOwnership;
  readonly clock: NodeClock;
}

/** A simulated cluster. @internal */
export class SimulatedCluster {
  /** The database's records, shared by every node. */
  readonly store: MemoryStore;
  /** The database's leases, shared by every node. */
  readonly table: MemoryLeaseTable;
  readonly audit = new OwnershipAudit();
  readonly #directory = new SimulatedDirectory();
  readonly #nodes: SimulatedNode[] = [];
  #booted = 0;
  /** Turns that began on a node not holding their entity by its own clock (see {@link turnBegins}): each one a second hand. */
  readonly lateTurns: string[] = [];

  /**
   * Called by a scenario's handler as its turn begins, with its `ctx.clock`:
   * records the turn if its node does not hold `(type, key)` by its own clock
   * at that moment, when another node may be acting on the entity too.
   */
  static turnBegins(clock: Clock, type: string, key: string): void {
    const found = nodeByClock.get(clock);
    if (found && !found.node.ownership.live(type, key)) found.cluster.lateTurns.push(`${found.node.id} began a turn of ${type}/${key} at ${clock.now()} ms with no live lease on it`);
  }

  constructor(
    private readonly world: SimulationWorld,
    private readonly options: SimulatedClusterOptions,
  ) {
    this.store = new MemoryStore({ clock: world.clock });
    this.table = new MemoryLeaseTable(world.clock);
    for (let slot = 0; slot < options.nodes; slot++) this.#nodes.push(this.#boot(slot));
  }

  /** The live incarnation in `slot`. */
  node(slot: number): SimulatedNode {
    const node = this.#nodes[slot];
    if (!node) throw new RangeError(`no node slot ${slot} (the cluster has ${this.#nodes.length})`);
    return node;
  }

  get nodes(): readonly SimulatedNode[] {
    return this.#nodes;
  }

  /** SIGKILL: the node's process is gone (its leases stay until they expire); a new incarnation boots in its slot. */
  kill(slot: number): void {
    const node = this.node(slot);
    node.process.kill();
    node.clock.kill();
    this.#nodes[slot] = this.#boot(slot);
  }

  /** SIGSTOP for `forMs` of virtual time, then SIGCONT (a step of the world's clock). */
  freeze(slot: number, forMs: number): void {
    const { process } = this.node(slot);
    process.freeze();
    this.world.clock.setTimer(forMs, () => process.thaw());
  }

  /** Forwards the nodes served each other so far, by message type (routed clusters only). */
  get forwardsServed(): ReadonlyMap<string, number> {
    return this.#directory.served;
  }

  /** The live nodes that believe, by their own clock, that they own `(type, key)` now. */
  believers(type: string, key: string): string[] {
    return this.#nodes.filter((node) => node.ownership.live(type, key) !== undefined).map((node) => node.id);
  }

  #boot(slot: number): SimulatedNode {
    const { world, options } = this;
    const id = `node-${String.fromCharCode(97 + slot)}${this.#booted < options.nodes ? '' : `.${this.#booted}`}`;
    this.#booted++;
    const process = new NodeProcess(id, world);
    const clock = new NodeClock(world.clock, process);
    const ttlMs = options.leaseTtlMs;
    const marginMs = options.leaseMarginMs ?? ttlMs / 5;
    const table = new NodeLeaseTable(world, process, this.table, this.audit);
    const leases = new Leases({ table, node: id, ttlMs, marginMs, now: () => clock.monotonic() });
    const ownership = new LeaseOwnership(leases, { renewEveryMs: ttlMs / 3, checkEveryMs: marginMs / 2, clock });
    const store = new NodeStore({ world, process, store: this.store, table: this.table, audit: this.audit, checkFences: options.checkFences ?? true });
    const persistence = new Persistence(store, { clock, closeStore: false });
    const askTimeoutMs = options.askTimeoutMs ?? 5_000;
    const client = new SimulatedTransport(process, clock, this.#directory);
    const router = options.routed
      ? new Router({ node: id, running: () => system.running, ownership, registry: this.#directory, client, clock, forwardTimeoutMs: ttlMs, tellTimeoutMs: askTimeoutMs })
      : undefined;
    const system: ActorSystem = new ActorSystem({
      clock,
      random: new SeededRandom(world.seed ^ (0xc1 + this.#booted)),
      messagesPerTurn: 1,
      askTimeoutMs,
      persistence: new FencedStatePort(persistence, ownership),
      ownership: router ? new RoutedOwnership(ownership, router) : ownership,
      scheduler: { schedule: (owner, turn) => process.step(`turn ${owner}`, turn) },
    });
    if (router) this.#directory.register({ id, process, serve: (request) => router.serve(request) });
    ownership.start();
    const node = { id, process, system, leases, ownership, clock };
    nodeByClock.set(clock, { cluster: this, node });
    return node;
  }
}
