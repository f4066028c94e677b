/**
 * The cook's race scenarios for the simulator: concurrent starts, one
 * completion from three paths, failing submissions, actor and whole-system
 * crashes, duplicated and failed messages, a restart that only the cook's
 * tick reminder resumes. Every one checks the cook invariants after every
 * step and that each cook ends completed, or failed with a reason.
 */
import { ownedKey, REMINDERS_COLLECTION, reminderKey, type ActorRef } from '../../../index.js';
import { defineScenario, untilAnswered as retryUntilAnswered, type FaultKind, type Scenario, type SimulationWorld } from '../../../runtime/simulator/index.js';
import { createCookActors, type CookDefinition } from '../cook-actor.js';
import { COOK_COMPLETIONS, type CookCompletion } from '../completions.js';
import { TICK_REMINDER, wantsTick } from '../cook-schedule.js';
import { cookInvariantViolations } from '../invariants.js';
import { cookKey, parseCookJobId } from '../keys.js';
import type { Submitter } from '../service/index.js';
import { SimulatedGenerationService, type SimulatedServiceOptions } from './simulated-service.js';

interface CookScenarioCtx {
  readonly cook: ActorRef<CookDefinition>;
  readonly service: SimulatedGenerationService;
  /** Codes of the answers the intruder got. */
  readonly intruderAnswers: string[];
  /** Set once a start by the owner was answered: only then must the cook finish. */
  readonly owner: { started: boolean };
}

const OWNER = 'ann';
const INTRUDER = 'mallory';
const COLLECTION = 'autumn';
/** Errors after which the owner's client tries its start again: the answer never came, or the cook failed mid-way (a failed commit). */
const TRANSIENT = new Set(['ERR_ASK_TIMEOUT', 'ERR_HANDLER_FAILED', 'ERR_PERSIST_FAILED']);

interface CookScenarioOptions {
  readonly name: string;
  readonly pieces?: number;
  readonly maxConcurrent?: number;
  readonly starts?: number;
  readonly service?: SimulatedServiceOptions;
  readonly faults?: readonly FaultKind[];
  /** Supplies the owner changes the collection to, each an action (in whatever order the strategy picks). */
  readonly supplyChanges?: readonly number[];
  /**
   * Nothing touches the cook after a whole-system crash: each system starts
   * its reminder service with the cook listed, and only the cook's tick
   * resumes it. Otherwise a restarted process sends the cook a status request.
   */
  readonly resumedByTick?: boolean;
}

/** What a schedule came to: how many whole-system crashes found the cook's tick committed (and so had to be resumed by it). */
export interface CookScenarioSummary {
  readonly crashesWithTick: number;
}

/** Records what the intruder was told; a system shutting down told it nothing yet: rethrown, so its request goes out again. */
function intruderAnswer(answers: string[], error: { code?: string }): void {
  if (error.code === 'ERR_SYSTEM_STOPPED') throw error;
  answers.push(error.code ?? 'unknown');
}

/** Retries `ask` until it is answered; refusals other than transient ones are the answer. */
const untilAnswered = <T>(ask: () => Promise<T>): Promise<T> => retryUntilAnswered(ask, TRANSIENT);

/** Whether the store holds the cook's tick. */
function storedTick(world: SimulationWorld, key: string): boolean {
  return world.store.read(REMINDERS_COLLECTION, reminderKey('cook', key, TICK_REMINDER)) !== undefined;
}

/** Builds one cook scenario. The service is made once per schedule, in `init`; the actor definitions reach it through a late-bound submitter. */
function cookScenario(options: CookScenarioOptions): Scenario<CookScenarioCtx, CookScenarioSummary> {
  let service: SimulatedGenerationService;
  let intruderAnswers: string[];
  let owner: { started: boolean };
  const pieces = options.pieces ?? 6;
  const submitter: Submitter = { submit: (job) => service.submit(job), query: (jobId) => service.query(jobId) };
  const { Cook } = createCookActors({ submitter, pollIntervalMs: 2_000, retryBackoffMs: 100, maxSubmitAttempts: 6 });
  const crashes = (world: SimulationWorld) => world.scratch('crashes', () => ({ withTick: 0 }));
  return defineScenario<CookScenarioCtx, CookScenarioSummary>({
    name: options.name,
    maxSteps: 400,
    // Jobs are polled on the cook's tick, a reminder: a cook starved in phase 1 (its deliveries time out) leaves the
    // tick in the runtime's delivery retry, up to 5 minutes apart; after that, the remaining pieces must still fit.
    eventuallyWithinMs: 420_000,
    askTimeoutMs: 30_000,
    ...(options.faults ? { faults: options.faults } : {}),
    init: async (world) => {
      intruderAnswers = [];
      owner = { started: false };
      service = new SimulatedGenerationService(
        world,
        (report) => {
          const job = parseCookJobId(report.jobId);
          if (job) world.system.ref(Cook, job.cookKey).tell('pieceCompleted', { ...report, source: 'webhook' });
        },
        options.service,
      );
      await world.store.commit([{ op: 'put', collection: 'collections', key: COLLECTION, value: { id: COLLECTION, ownerId: OWNER, supply: pieces } }]);
    },
    setup: (world) => {
      const cook = world.system.ref(Cook, cookKey(COLLECTION, OWNER));
      // setup runs again after each whole-system crash: what the store holds now is what the crash left.
      if (world.incarnation > 0 && storedTick(world, cook.key)) crashes(world).withTick++;
      return { cook, service, intruderAnswers, owner };
    },
    summarize: (_ctx, world) => ({ crashesWithTick: crashes(world).withTick }),
    ...(options.resumedByTick
      ? { reminders: { actors: [Cook] } }
      : // A restarted process resumes its cooks: touching one activates it, and activation reconciles.
        { recover: ({ cook }: CookScenarioCtx) => void cook.ask('status', {}).catch(() => undefined) }),
    actions: [
      ...Array.from({ length: options.starts ?? 1 }, (_, i) => ({
        name: `owner starts #${i + 1}`,
        run: async ({ cook, owner: client }: CookScenarioCtx) => {
          // A real client retries a start until it gets an answer (PCT may starve the cook behind the clock
          // for a while, so every attempt times out); starting twice is harmless by design.
          for (;;) {
            try {
              const answer = await cook.ask('start', { requester: OWNER, maxConcurrent: options.maxConcurrent ?? 2 });
              client.started = true;
              return answer;
            } catch (error) {
              if (!TRANSIENT.has((error as { code?: string }).code ?? '')) throw error;
            }
          }
        },
      })),
      ...(options.supplyChanges ?? []).map((supply) => ({
        name: `owner sets supply to ${supply}`,
        run: ({ cook }: CookScenarioCtx) => untilAnswered(() => cook.ask('updateCollection', { requester: OWNER, supply })),
      })),
      ...(options.supplyChanges
        ? [
            {
              name: 'intruder sets supply',
              run: ({ cook, intruderAnswers: answers }: CookScenarioCtx) =>
                cook.ask('updateCollection', { requester: INTRUDER, supply: 1 }).then(
                  () => answers.push('accepted'),
                  (error: { code?: string }) => intruderAnswer(answers, error),
                ),
            },
          ]
        : []),
      ...(['start', 'pause', 'stop'] as const).map((type) => ({
        name: `intruder ${type}s`,
        run: ({ cook, intruderAnswers: answers }: CookScenarioCtx) =>
          cook.ask(type, { requester: INTRUDER }).then(
            () => answers.push('accepted'),
            (error: { code?: string }) => intruderAnswer(answers, error),
          ),
      })),
    ],
    invariants: {
      'cook invariants': ({ cook }, world) => cookInvariantViolations(world.peek(cook)).join('; ') || true,
      // State and completion records land in one commit: in the store they always agree. Only jobs the service accepted can be counted.
      'durable cook agrees with its completion records': ({ cook, service: svc }, world) => {
        const completions = [...svc.ledger.accepted].flatMap((jobId) => world.store.read<CookCompletion>(COOK_COMPLETIONS, ownedKey(cook.key, jobId))?.value ?? []);
        return cookInvariantViolations(world.durable(cook), completions).join('; ') || true;
      },
      // Set and removed in the commits that change the cook's need of it: the store never holds one without the other.
      'the durable tick agrees with the durable cook': ({ cook }, world) => {
        const state = world.durable(cook);
        const wanted = state !== undefined && wantsTick(state);
        return storedTick(world, cook.key) === wanted || `the cook is ${state?.status ?? 'unsaved'} ${wanted ? 'without' : 'with'} a tick in the store`;
      },
      'running only after a successful submit': ({ cook, service: svc }, world) => {
        const early = Object.keys(world.peek(cook)?.running ?? {}).filter((jobId) => !svc.ledger.accepted.has(jobId));
        return early.length === 0 || `running before the service accepted: ${early.join(', ')}`;
      },
      'never a piece index at or past the supply': ({ cook }, world) => {
        const state = world.durable(cook);
        const supply = world.store.read<{ supply: number }>('collections', COLLECTION)?.value.supply ?? 0;
        if (!state) return true;
        const issued = [...Object.values(state.pending), ...Object.values(state.running), ...state.retries].map((job) => job.pieceIndex);
        const past = issued.filter((index) => index >= supply);
        return past.length === 0 || `pieces ${past.join(',')} in flight with supply ${supply}`;
      },
      'only the owner changes the cook': ({ intruderAnswers: answers }) =>
        answers.every((code) => code === 'ERR_FORBIDDEN' || code === 'ERR_ASK_TIMEOUT' || code === 'ERR_HANDLER_FAILED') || `intruder got: ${answers.join(', ')}`,
    },
    eventually: {
      // Reached only where the owner's start was answered: a schedule that never started the cook tested nothing here.
      'a started cook ends completed, or failed with a reason': {
        given: ({ owner: client }) => client.started,
        holds: ({ cook }, world) => {
          const state = world.durable(cook);
          if (!state) return false;
          if (state.status === 'completed') return state.generatedCount === state.total;
          return state.status === 'failed' && state.failureReason !== null;
        },
      },
    },
  });
}

/**
 * Every cook scenario the simulator knows, by name.
 *
 * @example
 * ```ts
 * for (const scenario of COOK_SCENARIOS) await expectNoViolations(scenario, { schedules: 1_000 });
 * ```
 */
export const COOK_SCENARIOS = [
  cookScenario({ name: 'cook-concurrent-starts', starts: 3 }),
  cookScenario({ name: 'cook-three-paths', service: { duplicateWebhookRate: 0.5, dropWebhookRate: 0.3 } }),
  cookScenario({ name: 'cook-submit-failures', service: { submitFailureRate: 0.3, jobFailureRate: 0.1 } }),
  cookScenario({ name: 'cook-retry-with-full-slots', pieces: 3, service: { failFirstSubmissions: 1, dropWebhookRate: 1 } }),
  cookScenario({ name: 'cook-flaky-service', pieces: 8, service: { submitFailureRate: 0.25, dropWebhookRate: 0.5, duplicateWebhookRate: 0.3, jobFailureRate: 0.05 } }),
  cookScenario({ name: 'cook-actor-crash', faults: ['crash-actor', 'fail-commit'], service: { dropWebhookRate: 0.2 } }),
  cookScenario({ name: 'cook-system-crash', faults: ['crash-system'], service: { duplicateWebhookRate: 0.3 } }),
  // A shutdown's drain counts the completions already queued but issues nothing: the cook may be saved running with no job in flight.
  cookScenario({ name: 'cook-graceful-restart', pieces: 8, maxConcurrent: 2, faults: ['restart-system'], service: { dropWebhookRate: 0.2 } }),
  cookScenario({ name: 'cook-supply-changes', pieces: 8, maxConcurrent: 3, supplyChanges: [3, 10], service: { dropWebhookRate: 0.3, submitFailureRate: 0.1 } }),
  cookScenario({ name: 'cook-duplicated-delayed', faults: ['duplicate-action', 'fail-io', 'delay-message'], service: { duplicateWebhookRate: 0.5 } }),
  // Whole-system crashes, some between the tick's commit and its firing, and nobody touches the cook after one: its tick resumes it.
  cookScenario({ name: 'cook-resumed-by-tick', faults: ['crash-system'], resumedByTick: true, service: { dropWebhookRate: 0.5 } }),
] as const;
