/**
 * The cookie's race scenarios for the simulator: manual rotations racing
 * scheduled ones, a flaky provider that loses answers after rotating, actor,
 * task and whole-system crashes, failed commits, a missing provider. Each
 * checks the cookie invariants after every step, and that every attempt
 * ends with a value the service accepts (or an error status that says why).
 */
import type { ActorRef } from '../../../index.js';
import { defineScenario, untilAnswered as retryUntilAnswered, type FaultKind, type Scenario } from '../../../runtime/simulator/index.js';
import { createCookieActors, type CookieDefinition } from '../cookie-actor.js';
import { CookieProviders } from '../providers.js';
import { defineRotateTask } from '../rotate-task.js';
import { COOKIES, initialCookieState } from '../rotation-state.js';
import type { CookieState } from '../schemas.js';
import { cookieViolations, storedCookie } from './invariants.js';
import { SimulatedCookieProvider, type SimulatedProviderOptions } from './simulated-service.js';

const taskModule = import.meta.url.endsWith('.ts')
  ? new URL('../../../../dist/src/actors/cookies/simulation/simulated-rotate.js', import.meta.url)
  : new URL('./simulated-rotate.js', import.meta.url);
/** The rotate task of simulated providers. */
export const SIMULATED_ROTATE_TASK = defineRotateTask('simulatedRotateCookie', taskModule);

const COOKIE = 'shop-ann';
const URL_OF_SERVICE = 'http://sim.invalid/shop';
/** Answers after which a client asks again: none came, or the turn failed on a failed commit. */
const TRANSIENT = new Set(['ERR_ASK_TIMEOUT', 'ERR_HANDLER_FAILED', 'ERR_PERSIST_FAILED', 'ERR_ACTOR_STOPPED']);

interface CookieScenarioCtx {
  readonly cookie: ActorRef<CookieDefinition>;
  readonly service: SimulatedCookieProvider;
  /** Names of the actions whose caller got its answer (kept across whole-system crashes). */
  readonly answered: Set<string>;
}

interface CookieScenarioOptions {
  readonly name: string;
  readonly manualRotations?: number;
  readonly service?: SimulatedProviderOptions;
  readonly faults?: readonly FaultKind[];
  /** No provider registered for the cookie's service. */
  readonly missingProvider?: boolean;
}

/** Retries `ask` until it is answered; refusals other than transient ones are the answer. */
const untilAnswered = <T>(ask: () => Promise<T>): Promise<T> => retryUntilAnswered(ask, TRANSIENT);

function cookieScenario(options: CookieScenarioOptions): Scenario<CookieScenarioCtx> {
  let service: SimulatedCookieProvider;
  const manual = options.manualRotations ?? 2;
  const providers = new CookieProviders();
  if (!options.missingProvider) {
    providers.register({ service: 'shop', validateUrl: URL_OF_SERVICE, cookieKeys: ['sid'], rotateEveryMs: 10_000, jitterMs: 1_000, task: SIMULATED_ROTATE_TASK });
  }
  return defineScenario<CookieScenarioCtx>({
    name: options.name,
    maxSteps: 150,
    // The schedule fires through reminders: a cookie starved in phase 1 leaves its firing in the runtime's delivery
    // retry, up to 5 minutes apart; after that, an attempt and its retries (2 s, doubling) must still fit.
    eventuallyWithinMs: 420_000,
    askTimeoutMs: 30_000,
    pools: { rotate: { concurrency: 4, defaultTimeoutMs: 60_000 } },
    ...(options.faults ? { faults: options.faults } : {}),
    init: async (world) => {
      service = new SimulatedCookieProvider(world, URL_OF_SERVICE, options.service);
      const state: CookieState = { ...initialCookieState(COOKIE, 'sim'), service: 'shop', value: `plain:${service.issue('ann')}`, revision: 1 };
      await world.store.commit([{ op: 'put', collection: COOKIES, key: COOKIE, value: state }]);
    },
    // A process makes its definitions when it starts: tickets and retries in flight are that process's.
    setup: (world) => ({
      cookie: world.system.ref(createCookieActors({ providers, secretKey: '', retryBackoffMs: 2_000, commitBackoffMs: 50 }).Cookie, COOKIE),
      service,
      answered: world.scratch('answered', () => new Set<string>()),
    }),
    // launchOnStartup after a restart (what launchCookies does): the cookie starts again, re-arming its reminder and
    // recovering an interrupted attempt; a launcher whose ask went unanswered asks again.
    recover: ({ cookie }) => void untilAnswered(() => cookie.ask('start', {})).catch(() => undefined),
    actions: [
      { name: 'owner starts the schedule', run: ({ cookie, answered }) => untilAnswered(() => cookie.ask('start', {})).then(() => answered.add('start')) },
      ...Array.from({ length: manual }, (_, i) => ({
        name: `manual rotate #${i + 1}`,
        run: ({ cookie, answered }: CookieScenarioCtx) => untilAnswered(async () => (await cookie.ask('rotate', {})).settled).then(() => answered.add(`rotate ${i}`)),
      })),
    ],
    invariants: {
      'cookie invariants': ({ service: svc }, world) => cookieViolations(world, svc, COOKIE).join('; ') || true,
      'each attempt reaches the service at most once': ({ service: svc }, world) => {
        const attempts = world.store.read<CookieState>(COOKIES, COOKIE)?.value.attempts ?? 0;
        return svc.rotations('ann') <= attempts || `${svc.rotations('ann')} rotations at the service for ${attempts} attempts`;
      },
    },
    eventually: {
      // PCT may keep time ahead of the cookie's turns for a while (every ask then times out and is sent again); once fair, every caller is answered.
      'every caller is answered': ({ answered }) => answered.size === manual + 1,
      'every attempt settles: a value the service accepts, or an error that says why': ({ service: svc }, world) => {
        const state = world.store.read<CookieState>(COOKIES, COOKIE)?.value;
        if (!state || state.inFlight !== null) return false;
        if (state.monitor.workerStatus === 'error') return (state.monitor.lastMessage ?? '').length > 0;
        return svc.accepts(storedCookie(state)) || `the stored value #${SimulatedCookieProvider.seqOf(storedCookie(state))} is not accepted by the service`;
      },
    },
  });
}

/**
 * Every cookie scenario the simulator knows.
 *
 * @example
 * ```ts
 * for (const scenario of COOKIE_SCENARIOS) await expectNoViolations(scenario, { schedules: 2_500 });
 * ```
 */
export const COOKIE_SCENARIOS = [
  cookieScenario({ name: 'cookie-manual-and-scheduled', manualRotations: 3, faults: ['crash-actor', 'fail-commit', 'crash-task'] }),
  cookieScenario({ name: 'cookie-flaky-provider', service: { unreachableRate: 0.3, lostAnswerRate: 0.25 }, faults: ['crash-actor', 'fail-commit'] }),
  cookieScenario({ name: 'cookie-system-crash', service: { lostAnswerRate: 0.2 }, faults: ['crash-system', 'crash-task', 'fail-commit'] }),
  cookieScenario({ name: 'cookie-missing-provider', missingProvider: true, faults: ['crash-actor', 'crash-system'] }),
] as const;
