/**
 * The ownership claim under the simulator: two node systems on one store and
 * one lease table, clients sending requests for two accounts to either node
 * (retrying elsewhere as a router would), while a node is frozen past its
 * lease, a node is killed, and idle accounts passivate (releasing their
 * lease). After every step: at most one node believes it owns an account,
 * one node per (account, token), tokens strictly increasing, no write
 * accepted under a stale token, and no acknowledged request missing from the
 * durable account. The unfenced variant (a store that does not check tokens)
 * shows what fencing prevents: the simulator finds a stale write accepted.
 */
import { z } from 'zod';
import { defineActor } from '../runtime/define-actor.js';
import type { Clock } from '../runtime/ports/index.js';
import { defineScenario, type Scenario, type SimulationWorld } from '../runtime/simulator/index.js';
import { SimulatedCluster } from '../runtime/simulator/sim-cluster.js';

const TTL_MS = 6_000;
const KEYS = ['acc-1', 'acc-2'] as const;
const REQUESTS = 6;
/** How long a client waits for one try before it tries again (a router's bound per forward). */
const CLIENT_BOUND_MS = 4_000;
/** How long a client waits before trying again. */
const BACKOFF_MS = 1_500;
/** Answers that mean "not here, not now": a router tries again, on the node that owns the entity by then. */
const RETRY = new Set(['ERR_NOT_OWNER', 'ERR_FENCED', 'ERR_LEASE_EXPIRED', 'ERR_ASK_TIMEOUT', 'ERR_ACTOR_STOPPED', 'ERR_REVISION_CONFLICT', 'ERR_PERSIST_FAILED', 'ERR_CLIENT_BOUND']);

/** Applies each request id once; its record is what every node writes under its lease. */
const Account = defineActor({
  name: 'account',
  messages: { apply: z.object({ id: z.string() }) },
  initialState: () => ({ applied: [] as string[] }),
  persistence: { collection: 'accounts' },
  passivation: { idleAfterMs: 2_000 },
  handlers: {
    apply: async ({ id }, ctx) => {
      if (ctx.state.applied.includes(id)) return ctx.state.applied.length;
      ctx.state.applied.push(id);
      await ctx.save();
      return ctx.state.applied.length;
    },
  },
});

/** What the ownership scenario's actions and checks share. */
export interface OwnershipCtx {
  readonly cluster: SimulatedCluster;
  /** Request ids acknowledged to their client, by account. */
  readonly acknowledged: Map<string, Set<string>>;
  sent: number;
}

/** What one schedule came to: fenced writes refused (a stale token) and accepted. */
export interface OwnershipSummary {
  readonly fenced: number;
  readonly accepted: number;
}

/** One client request: to a random node, again (idempotently) on any answer that says "not here, not now". */
async function request(ctx: OwnershipCtx, world: SimulationWorld): Promise<void> {
  const index = ctx.sent++;
  const key = KEYS[index % KEYS.length] as string;
  const id = `r-${index}`;
  for (;;) {
    const node = ctx.cluster.node(world.random.int(ctx.cluster.nodes.length));
    try {
      await bounded(node.system.ref(Account, key).ask('apply', { id }), world.clock);
      ctx.acknowledged.get(key)?.add(id);
      return;
    } catch (error) {
      if (!RETRY.has(codeOf(error))) throw error;
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

/** The ownership scenario; `checkFences: false` is the unfenced fixture. @internal */
export function ownershipScenario(options: { readonly name: string; readonly checkFences: boolean }): Scenario<OwnershipCtx, OwnershipSummary> {
  return defineScenario<OwnershipCtx, OwnershipSummary>({
    name: options.name,
    maxSteps: 400,
    eventuallyWithinMs: 120_000,
    setup: (world) => ({
      cluster: new SimulatedCluster(world, { nodes: 2, leaseTtlMs: TTL_MS, leaseMarginMs: TTL_MS / 3, checkFences: options.checkFences }),
      acknowledged: new Map(KEYS.map((key) => [key, new Set<string>()])),
      sent: 0,
    }),
    actions: [
      { name: 'a client sends a request', times: REQUESTS, run: (ctx, world) => request(ctx, world) },
      { name: 'a node freezes past its lease', run: ({ cluster }, world) => cluster.freeze(world.random.int(2), TTL_MS * 1.5) },
      { name: 'a node is killed', run: ({ cluster }, world) => cluster.kill(world.random.int(2)) },
    ],
    invariants: {
      'at most one owner per account': ({ cluster }) => {
        for (const key of KEYS) {
          const believers = cluster.believers(Account.name, key);
          if (believers.length > 1) return `${believers.join(' and ')} both believe they own ${key}`;
        }
        return true;
      },
      'one node per token, tokens increasing, no stale write accepted': ({ cluster }) => cluster.audit.violation() ?? true,
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
    summarize: ({ cluster }) => ({ fenced: cluster.audit.fenced, accepted: cluster.audit.accepted }),
  });
}

/**
 * The cluster's scenarios for `steward simulate`: single ownership across two nodes with fencing.
 */
export const CLUSTER_SCENARIOS = [ownershipScenario({ name: 'cluster-ownership', checkFences: true })] as const;
