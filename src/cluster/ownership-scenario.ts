/**
 * The ownership claim under the simulator: two node systems on one store and
 * one lease table, clients sending requests for two accounts to either node
 * (retrying elsewhere as a router would), while a node is frozen past its
 * lease, a node is killed, and idle accounts passivate (releasing their
 * lease). After every step: at most one node believes it owns an account,
 * one node per (account, token), tokens strictly increasing, no write
 * accepted under a stale token, and no acknowledged request missing from the
 * durable account, and no turn of an account or clerk begins on a node
 * whose lease on it has run out by its own clock. The unfenced variant (a
 * store that does not check tokens) shows what fencing prevents: the
 * simulator finds a stale write accepted.
 * The routed variant runs each node's real router (messages find their
 * owner): clients ask a clerk on a random node, and the clerk's own
 * `ctx.ref` ask reaches the account wherever it is owned.
 */
import { z } from 'zod';
import { defineActor } from '../runtime/define-actor.js';
import type { Clock } from '../runtime/ports/index.js';
import { defineScenario, type Scenario, type SimulationWorld } from '../runtime/simulator/index.js';
import { SimulatedCluster } from '../runtime/simulator/sim-cluster.js';

const TTL_MS = 6_000;
const KEYS = ['acc-1', 'acc-2'] as const;
const DESKS = ['desk-1', 'desk-2'] as const;
const REQUESTS = 6;
/** How long a client waits for one try before it tries again (a router's bound per forward). */
const CLIENT_BOUND_MS = 4_000;
/** How long a client waits before trying again. */
const BACKOFF_MS = 1_500;
/** Answers that mean "not here, not now": a router tries again, on the node that owns the entity by then. */
const RETRY = new Set(['ERR_NOT_OWNER', 'ERR_FENCED', 'ERR_LEASE_EXPIRED', 'ERR_ASK_TIMEOUT', 'ERR_ACTOR_STOPPED', 'ERR_REVISION_CONFLICT', 'ERR_PERSIST_FAILED', 'ERR_CLIENT_BOUND']);
/**
 * Routed, also: a forward whose answer did not come back, and a clerk's relay
 * that failed on the account's node (its error crosses the wire without its
 * cause). Requests are idempotent by id, so trying again is safe.
 */
const ROUTED_RETRY = new Set([...RETRY, 'ERR_FORWARD_FAILED', 'ERR_HANDLER_FAILED']);

/** Applies each request id once; its record is what every node writes under its lease. */
const Account = defineActor({
  name: 'account',
  messages: { apply: z.object({ id: z.string() }) },
  initialState: () => ({ applied: [] as string[] }),
  persistence: { collection: 'accounts' },
  passivation: { idleAfterMs: 2_000 },
  handlers: {
    apply: async ({ id }, ctx) => {
      SimulatedCluster.turnBegins(ctx.clock, Account.name, ctx.key);
      if (ctx.state.applied.includes(id)) return ctx.state.applied.length;
      ctx.state.applied.push(id);
      await ctx.save();
      return ctx.state.applied.length;
    },
  },
});

/** Relays a client's request to its account from inside its own turn: the `ctx.ref` path. */
const Clerk = defineActor({
  name: 'clerk',
  messages: { relay: z.object({ account: z.string(), id: z.string() }) },
  initialState: () => ({}),
  passivation: { idleAfterMs: 2_000 },
  handlers: {
    relay: ({ account, id }, ctx) => {
      SimulatedCluster.turnBegins(ctx.clock, Clerk.name, ctx.key);
      return ctx.ref(Account, account).ask('apply', { id });
    },
  },
});

/** What the ownership scenario's actions and checks share. */
export interface OwnershipCtx {
  readonly cluster: SimulatedCluster;
  /** Clients go through a clerk (routed variant) or straight to the account. */
  readonly routed: boolean;
  /** Request ids acknowledged to their client, by account. */
  readonly acknowledged: Map<string, Set<string>>;
  sent: number;
}

/** What one schedule came to: fenced writes refused (a stale token) and accepted, and (routed) the clerks' asks forwarded to an account's owner. */
export interface OwnershipSummary {
  readonly fenced: number;
  readonly accepted: number;
  readonly forwardedApplies: number;
}

/** One client request: to a random node, again (idempotently) on any answer that says "not here, not now". */
async function request(ctx: OwnershipCtx, world: SimulationWorld): Promise<void> {
  const index = ctx.sent++;
  const key = KEYS[index % KEYS.length] as string;
  const id = `r-${index}`;
  const retry = ctx.routed ? ROUTED_RETRY : RETRY;
  for (;;) {
    const node = ctx.cluster.node(world.random.int(ctx.cluster.nodes.length));
    try {
      const answer = ctx.routed
        ? node.system.ref(Clerk, DESKS[world.random.int(DESKS.length)] as string).ask('relay', { account: key, id })
        : node.system.ref(Account, key).ask('apply', { id });
      await bounded(answer, world.clock);
      ctx.acknowledged.get(key)?.add(id);
      return;
    } catch (error) {
      if (!retry.has(codeOf(error))) throw error;
      await new Promise<void>((resolve) => world.clock.setTimer(BACKOFF_MS, resolve)); // the owner may be frozen or dead: its lease has to run out first
    }
  }
}

/** The code of `error`, or of its cause for a handler that failed on one (a fenced write). */
function codeOf(error: unknown): string {
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  return code === 'ERR_HANDLER_FAILED' ? (cause?.code ?? code) : (code ?? '');
}

/** `answer`, or `ERR_CLIENT_BOUND` after {@link CLIENT_BOUND_MS} of the world's time (the node may be frozen or dead). */
function bounded<T>(answer: Promise<T>, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimer(CLIENT_BOUND_MS, () => reject(Object.assign(new Error('no answer in time'), { code: 'ERR_CLIENT_BOUND' })));
    answer.then(
      (value) => {
        clock.clearTimer(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimer(timer);
        reject(error as Error);
      },
    );
  });
}

/** The ownership scenario; `checkFences: false` is the unfenced fixture, `routed: true` the variant where messages find their owner. @internal */
export function ownershipScenario(options: { readonly name: string; readonly checkFences: boolean; readonly routed?: boolean }): Scenario<OwnershipCtx, OwnershipSummary> {
  const routed = options.routed ?? false;
  return defineScenario<OwnershipCtx, OwnershipSummary>({
    name: options.name,
    maxSteps: 400,
    eventuallyWithinMs: 120_000,
    setup: (world) => ({
      cluster: new SimulatedCluster(world, { nodes: 2, leaseTtlMs: TTL_MS, leaseMarginMs: TTL_MS / 3, checkFences: options.checkFences, routed }),
      routed,
      acknowledged: new Map(KEYS.map((key) => [key, new Set<string>()])),
      sent: 0,
    }),
    actions: [
      { name: 'a client sends a request', times: REQUESTS, run: (ctx, world) => request(ctx, world) },
      { name: 'a node freezes past its lease', run: ({ cluster }, world) => cluster.freeze(world.random.int(2), TTL_MS * 1.5) },
      { name: 'a node is killed', run: ({ cluster }, world) => cluster.kill(world.random.int(2)) },
    ],
    invariants: {
      'at most one owner per account (and clerk)': ({ cluster }) => {
        const entities: Array<readonly [string, string]> = [...KEYS.map((key) => [Account.name, key] as const), ...DESKS.map((desk) => [Clerk.name, desk] as const)];
        for (const [type, key] of entities) {
          const believers = cluster.believers(type, key);
          if (believers.length > 1) return `${believers.join(' and ')} both believe they own ${type}/${key}`;
        }
        return true;
      },
      'one node per token, tokens increasing, no stale write accepted': ({ cluster }) => cluster.audit.violation() ?? true,
      'a turn begins only on a node that holds its entity by its own clock': ({ cluster }) => cluster.lateTurns[0] ?? true,
      'no acknowledged write lost': ({ cluster, acknowledged }) => {
        for (const [key, ids] of acknowledged) {
          const applied = cluster.store.read<{ applied: string[] }>('accounts', key)?.value.applied ?? [];
          const lost = [...ids].filter((id) => !applied.includes(id));
          if (lost.length > 0) return `${key}: acknowledged ${lost.join(', ')}, missing from the durable record`;
        }
        return true;
      },
    },
    eventually: {
      'every request is acknowledged': ({ acknowledged }) => [...acknowledged.values()].reduce((sum, ids) => sum + ids.size, 0) === REQUESTS,
    },
    summarize: ({ cluster }) => ({ fenced: cluster.audit.fenced, accepted: cluster.audit.accepted, forwardedApplies: cluster.forwardsServed.get('apply') ?? 0 }),
  });
}

/**
 * The cluster's scenarios for `steward simulate`: single ownership across two nodes with fencing, and the same with messages routed to their owner.
 */
export const CLUSTER_SCENARIOS = [
  ownershipScenario({ name: 'cluster-ownership', checkFences: true }),
  ownershipScenario({ name: 'cluster-forwarding', checkFences: true, routed: true }),
] as const;
