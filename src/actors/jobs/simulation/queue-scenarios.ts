/**
 * The queue's race scenarios for the simulator, under actor and whole-system
 * crashes, failed commits, duplicated and delayed messages: consumers racing
 * to claim, a completion racing its lease's expiry, a crash mid-job, and one
 * completion delivered twice. After every step: no job completed twice (the
 * completion sink, written in the completion's own commit, has at most one
 * attempt per job), no completion acknowledged to two consumers, every job
 * whose enqueue was acknowledged is on record, and a completed job and the
 * sink agree.
 */
import { z } from 'zod';
import { ownedKey, type ActorRef } from '../../../index.js';
import { defineScenario, type FaultKind, type Scenario, type SimulationWorld } from '../../../runtime/simulator/index.js';
import { defineQueue, type Queue, type QueueDefinition } from '../queue/queue-actor.js';
import { newJob } from '../queue/job-records.js';
import type { JobFunction } from '../queue/queue-options.js';
import { JOBS } from '../queue/queue-turn.js';
import type { Job } from '../queue/schemas.js';

const NAME = 'sim';
/** The completion sink: one record whose keys are `<jobId>/<attemptId>`, patched by each completion's own commit. */
export const SINK = 'queue-sink';
const Payload = z.object({ n: z.number().int() });
type SimQueue = ActorRef<QueueDefinition<typeof Payload>>;

/**
 * What the simulated outside world believes (it survives a whole-system crash):
 * acknowledged enqueues, and the completions each consumer was told succeeded.
 *
 * @example
 * ```ts
 * const beliefs: QueueBeliefs = { enqueued: new Map(), acknowledged: new Map(), held: new Map() };
 * ```
 */
export interface QueueBeliefs {
  /** Job id by idempotency key, once an enqueue was answered. */
  readonly enqueued: Map<string, string>;
  /** Acknowledged completions: job id → the attempt ids consumers were told completed it. */
  readonly acknowledged: Map<string, string[]>;
  /** Attempt ids consumers hold, by consumer. */
  readonly held: Map<string, { jobId: string; attemptId: string }>;
}

/**
 * The sink's completions per job id.
 *
 * @example
 * ```ts
 * const twice = [...sinkCounts(world)].filter(([, count]) => count > 1);
 * ```
 */
export function sinkCounts(world: SimulationWorld): Map<string, number> {
  const sink = world.store.read<Record<string, true>>(SINK, 'all')?.value ?? {};
  const counts = new Map<string, number>();
  for (const entry of Object.keys(sink)) {
    const jobId = entry.slice(0, entry.indexOf('/'));
    counts.set(jobId, (counts.get(jobId) ?? 0) + 1);
  }
  return counts;
}

/**
 * The queue invariants over a sink, the beliefs and the job records
 * (`completedBy`: the attempt a job on record completed with, `null` if it
 * is not completed, `undefined` if it is not on record); shared by the actor
 * scenarios and their naive counterparts.
 *
 * @example
 * ```ts
 * const eachJobCompletedOnce = (world: SimulationWorld, beliefs: QueueBeliefs, completedBy: (jobId: string) => string | null | undefined) =>
 *   queueViolations(sinkCounts(world), beliefs, completedBy);
 * ```
 */
export function queueViolations(sink: ReadonlyMap<string, number>, beliefs: QueueBeliefs, completedBy: (jobId: string) => string | null | undefined): string | true {
  for (const [jobId, count] of sink) if (count > 1) return `job ${jobId} completed ${count} times`;
  for (const [jobId, attempts] of beliefs.acknowledged) {
    if (attempts.length > 1) return `job ${jobId}'s completion acknowledged ${attempts.length} times (${attempts.join(', ')})`;
    const by = completedBy(jobId);
    if (by !== undefined && by !== null && by !== attempts[0]) return `job ${jobId} completed by attempt ${by}, but attempt ${attempts[0]} was told it completed it`;
  }
  for (const jobId of beliefs.enqueued.values()) if (completedBy(jobId) === undefined) return `job ${jobId} was acknowledged but is not on record`;
  return true;
}

/**
 * Records that a consumer was told `attemptId` completed `jobId`.
 *
 * @example
 * ```ts
 * declare const claim: Claim;
 * const beliefs: QueueBeliefs = { enqueued: new Map(), acknowledged: new Map(), held: new Map() };
 * const queue = defineQueue({ name: 'renders', payload: z.object({ scene: z.string() }) }).ref(system);
 * const done = await queue.ask('complete', { jobId: claim.job.id, attemptId: claim.attemptId });
 * acknowledge(beliefs, done.id, claim.attemptId);
 * ```
 */
export function acknowledge(beliefs: QueueBeliefs, jobId: string, attemptId: string): void {
  beliefs.acknowledged.set(jobId, [...(beliefs.acknowledged.get(jobId) ?? []), attemptId]);
}

/** Marks sink writes for the scenario's queue. */
const sinkWrite = (job: Job) => [{ op: 'patch' as const, collection: SINK, key: 'all', patch: { [`${job.id}/${job.attemptId ?? ''}`]: true } }];

function jobOf(world: SimulationWorld, jobId: string): Job | undefined {
  return world.store.read<Job>(JOBS, ownedKey(NAME, jobId))?.value;
}

/** Retries an ask (a real client does: its answer was lost, or came too late), giving up quietly after `attempts`. */
async function retrying<T>(ask: () => Promise<T>, attempts = 4): Promise<T | undefined> {
  for (let i = 0; i < attempts; i++) {
    try {
      return await ask();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_STALE_ATTEMPT' || code === 'ERR_INVALID_STATE') return undefined;
    }
  }
  return undefined;
}

async function produce(queue: SimQueue, beliefs: QueueBeliefs, jobs: number): Promise<void> {
  const made = await retrying(() => queue.ask('enqueueBulk', { jobs: Array.from({ length: jobs }, (_, n) => ({ payload: { n }, options: { idempotencyKey: `k-${n}` } })) }), 1_000);
  made?.forEach((job, n) => beliefs.enqueued.set(`k-${n}`, job.id));
}

/** A consumer: claims (a few tries), works (a step the strategy can put after its lease's expiry), completes. */
async function consume(world: SimulationWorld, queue: SimQueue, beliefs: QueueBeliefs, name: string): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const claim = await retrying(() => queue.ask('claim', { consumer: name }));
    if (!claim) {
      await world.io(`${name} waits`, undefined, { external: true, failable: false });
      continue;
    }
    beliefs.held.set(name, { jobId: claim.job.id, attemptId: claim.attemptId });
    await world.io(`${name} works on ${claim.job.id}`, undefined, { external: true, failable: false });
    const done = await retrying(() => queue.ask('complete', { jobId: claim.job.id, attemptId: claim.attemptId, result: name }));
    if (done) acknowledge(beliefs, done.id, claim.attemptId);
  }
}

/** Delivers the held attempt's completion (one of several paths that report it). */
async function deliver(queue: SimQueue, beliefs: QueueBeliefs, consumer: string): Promise<void> {
  const held = beliefs.held.get(consumer);
  if (!held) return;
  const done = await retrying(() => queue.ask('complete', { ...held, result: 'delivered' }));
  if (done) acknowledge(beliefs, done.id, held.attemptId);
}

interface QueueCtx {
  readonly queue: SimQueue;
  readonly beliefs: QueueBeliefs;
}

interface QueueScenarioOptions {
  readonly name: string;
  readonly jobs: number;
  readonly consumers: readonly string[];
  readonly leaseMs?: number;
  /** The queue runs its own jobs (an in-process handler awaiting one step per job). */
  readonly ownHandler?: boolean;
  /** Extra completion deliveries of the first consumer's attempt. */
  readonly deliveries?: number;
  /** The jobs are on record before the run (enqueued earlier), instead of enqueued by a producer during it. */
  readonly seeded?: boolean;
}

const CRASHES: readonly FaultKind[] = ['crash-actor', 'fail-commit', 'crash-system', 'duplicate-action', 'delay-message'];

function queueScenario(options: QueueScenarioOptions): Scenario<QueueCtx> {
  let made: Queue<typeof Payload>;
  let beliefs: QueueBeliefs;
  return defineScenario<QueueCtx>({
    name: options.name,
    maxSteps: 400,
    askTimeoutMs: 30_000,
    faults: CRASHES,
    // A delayed job (a retry's backoff) wakes through a reminder, whose failed deliveries the runtime retries up to 5 minutes apart.
    eventuallyWithinMs: 420_000,
    init: async (world) => {
      beliefs = { enqueued: new Map(), acknowledged: new Map(), held: new Map() };
      // Each attempt is its own step (its own owner, so no strategy starves a retry behind an aborted attempt).
      const handler: JobFunction<{ n: number }, number> = async ({ n }, { attempt }) => {
        await world.io(`job ${n} attempt ${attempt} runs`, undefined);
        return n;
      };
      made = defineQueue({
        name: NAME,
        payload: Payload,
        concurrency: 2,
        leaseMs: options.leaseMs ?? 1_000,
        retry: { attempts: 50, backoff: { delayMs: 10, jitter: 0.5 } },
        ...(options.ownHandler ? { handler } : {}),
        onComplete: sinkWrite,
      });
      const seeded = options.seeded
        ? Array.from({ length: options.jobs }, (_, n) => newJob(NAME, `job-${n}`, n + 1, { n }, { idempotencyKey: `k-${n}` }, 50, 0))
        : [];
      for (const job of seeded) beliefs.enqueued.set(job.idempotencyKey as string, job.id);
      await world.store.commit([
        { op: 'put', collection: SINK, key: 'all', value: {} },
        ...seeded.map((job) => ({ op: 'put' as const, collection: JOBS, key: ownedKey(NAME, job.id), value: job })),
      ]);
    },
    setup: (world) => ({ queue: made.ref(world.system), beliefs }),
    // A restarted service touches its queue, which recovers before it dispatches.
    recover: ({ queue }) => void queue.ask('counts', {}).catch(() => undefined),
    actions: [
      ...(options.seeded ? [] : [{ name: 'producer enqueues', run: ({ queue, beliefs: b }: QueueCtx) => produce(queue, b, options.jobs) }]),
      ...options.consumers.map((consumer) => ({ name: `${consumer} consumes`, run: ({ queue, beliefs: b }: QueueCtx, world: SimulationWorld) => consume(world, queue, b, consumer) })),
      ...Array.from({ length: options.deliveries ?? 0 }, (_, i) => ({
        name: `path ${i + 1} delivers the completion again`,
        run: ({ queue, beliefs: b }: QueueCtx) => deliver(queue, b, options.consumers[0] as string),
      })),
    ],
    invariants: {
      'each job completed once': ({ beliefs: b }, world) =>
        queueViolations(sinkCounts(world), b, (jobId) => {
          const job = jobOf(world, jobId);
          return job === undefined ? undefined : job.status === 'completed' ? job.attemptId : null;
        }),
      'completed jobs and the sink agree': ({ beliefs: b }, world) => {
        const sink = world.store.read<Record<string, true>>(SINK, 'all')?.value ?? {};
        for (const jobId of b.enqueued.values()) {
          const job = jobOf(world, jobId);
          if (job?.status === 'completed' && !sink[`${jobId}/${job.attemptId ?? ''}`]) return `job ${jobId} is completed but its completion is not in the sink`;
        }
        return true;
      },
    },
    eventually: options.ownHandler
      ? {
          'every acknowledged job completes': {
            given: ({ beliefs: b }) => b.enqueued.size > 0,
            holds: ({ beliefs: b }, world) => [...b.enqueued.values()].every((jobId) => jobOf(world, jobId)?.status === 'completed') || 'a job is stranded',
          },
        }
      : {},
  });
}

/**
 * The queue scenarios, by name.
 *
 * @example
 * ```ts
 * for (const scenario of QUEUE_SCENARIOS) await expectNoViolations(scenario, { schedules: 10_000 });
 * ```
 */
export const QUEUE_SCENARIOS = [
  queueScenario({ name: 'queue-double-claim', jobs: 2, consumers: ['ann', 'bob', 'cy'], leaseMs: 60_000, seeded: true }),
  queueScenario({ name: 'queue-completion-vs-lease', jobs: 1, consumers: ['slow', 'fast'], leaseMs: 1_000, seeded: true }),
  queueScenario({ name: 'queue-crash-mid-job', jobs: 3, consumers: [], ownHandler: true }),
  queueScenario({ name: 'queue-duplicate-completion', jobs: 1, consumers: ['ann'], leaseMs: 60_000, deliveries: 2, seeded: true }),
] as const;
