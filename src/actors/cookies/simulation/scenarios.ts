/**
 * The cookie's race scenarios for the simulator: a manual rotation during a
 * scheduled one, concurrent requests, a provider down for a while, actor
 * and whole-system crashes between "the service rotated" and "the outcome is
 * stored", with and without a grace window. Every one checks after every
 * step that no older value is ever stored over a newer one.
 */
import type { ActorRef } from '../../../runtime/index.js';
import { defineScenario, type FaultKind, type Scenario } from '../../../runtime/simulator/index.js';
import { COOKIES, createCookieActors, type CookieDefinition } from '../cookie-actor.js';
import { cookieInvariantViolations } from '../invariants.js';
import type { CookieState } from '../messages.js';
import { CookieProviders } from '../providers.js';
import { initialCookieState } from '../rotation-state.js';
import { SimulatedCookieService, sequenceOf, type SimulatedCookieServiceOptions } from './simulated-service.js';
import { SIMULATED_ROTATE_TASK } from './sim-task.js';

const COOKIE = 'shop-ann';
const SERVICE_URL = 'http://sim.invalid/shop';
const INTERVAL_MS = 1_000;

interface CookieScenarioCtx {
  readonly cookie: ActorRef<CookieDefinition>;
  readonly service: SimulatedCookieService;
  /** The newest value number ever seen stored: a smaller one later is an older value over a newer one. */
  readonly seen: { maxStored: number };
}

interface CookieScenarioOptions {
  readonly name: string;
  readonly manualRotations?: number;
  readonly service?: SimulatedCookieServiceOptions;
  readonly faults?: readonly FaultKind[];
}

const storedState = (world: { store: { read<T>(collection: string, key: string): { value: T } | undefined } }) => world.store.read<CookieState>(COOKIES, COOKIE)?.value;
const storedValue = (state: CookieState | undefined) => (state?.value?.kind === 'plain' ? state.value.value : undefined);

function cookieScenario(options: CookieScenarioOptions): Scenario<CookieScenarioCtx> {
  let service: SimulatedCookieService;
  let Cookie: CookieDefinition;
  let seen: { maxStored: number };
  return defineScenario<CookieScenarioCtx>({
    name: options.name,
    maxSteps: 300,
    eventuallyWithinMs: 30_000,
    askTimeoutMs: 10_000,
    pools: { rotate: { concurrency: 4, defaultTimeoutMs: 5_000 } },
    ...(options.faults ? { faults: options.faults } : {}),
    init: async (world) => {
      seen = { maxStored: 1 };
      service = new SimulatedCookieService(SERVICE_URL, world.clock, options.service);
      const providers = new CookieProviders();
      providers.register({ service: 'shop', validateUrl: SERVICE_URL, cookieKeys: ['sid'], rotateEveryMs: INTERVAL_MS, jitterMs: 200, requestTimeoutMs: 1_000, task: SIMULATED_ROTATE_TASK });
      ({ Cookie } = createCookieActors({ providers, secretKey: '', retryBackoffMs: 200, commitBackoffMs: 50 }));
      const state = initialCookieState(COOKIE);
      Object.assign(state, { service: 'shop', value: { kind: 'plain', value: service.issue(COOKIE) }, revision: 1, lastRotatedAt: world.clock.now(), launchOnStartup: true });
      await world.store.commit([{ op: 'put', collection: COOKIES, key: COOKIE, value: state }]);
    },
    setup: (world) => ({ cookie: world.system.ref(Cookie, COOKIE), service, seen }),
    // A restarted process launches its launchOnStartup cookies.
    recover: ({ cookie }) => void cookie.ask('status', {}).catch(() => undefined),
    actions: [
      { name: 'system starts', run: ({ cookie }) => cookie.ask('status', {}) },
      {
        name: 'manual rotate',
        times: options.manualRotations ?? 2,
        run: async ({ cookie }) => {
          const ticket = await cookie.ask('rotate', {});
          return ticket.settled;
        },
      },
    ],
    invariants: {
      'cookie invariants': ({ cookie }, world) => cookieInvariantViolations(world.peek(cookie)).join('; ') || true,
      'never an older value over a newer one': ({ seen: watermark }, world) => {
        const stored = sequenceOf(storedValue(storedState(world)));
        if (stored < watermark.maxStored) return `stored value #${stored} after #${watermark.maxStored}`;
        watermark.maxStored = stored;
        return true;
      },
      'the store never holds a value the service never issued': ({ service: svc }, world) => sequenceOf(storedValue(storedState(world))) <= svc.newest(COOKIE),
    },
    eventually: {
      'the stored value is accepted, or the monitor says it is not': ({ service: svc }, world) => {
        const state = storedState(world);
        if (!state || state.inFlight) return false;
        if (svc.accepts(COOKIE, storedValue(state) ?? '')) return true;
        return state.monitor.workerStatus === 'error' && (state.monitor.lastMessage ?? '').includes('no longer accepted');
      },
    },
  });
}

/**
 * Every cookie scenario the simulator knows, by name.
 *
 * @example
 * ```ts
 * for (const scenario of COOKIE_SCENARIOS) await expectNoViolations(scenario, { schedules: 1_000 });
 * ```
 */
export const COOKIE_SCENARIOS = [
  cookieScenario({ name: 'cookie-manual-during-scheduled' }),
  cookieScenario({ name: 'cookie-concurrent-requests', manualRotations: 4 }),
  cookieScenario({ name: 'cookie-provider-down', service: { downForRotations: 3 } }),
  cookieScenario({ name: 'cookie-actor-crash', faults: ['crash-actor', 'fail-commit', 'crash-task'] }),
  cookieScenario({ name: 'cookie-system-crash', faults: ['crash-system'] }),
  cookieScenario({ name: 'cookie-system-crash-past-grace', faults: ['crash-system'], service: { graceMs: 0 } }),
  cookieScenario({ name: 'cookie-duplicated-delayed', faults: ['duplicate-action', 'delay-message', 'fail-commit'] }),
] as const;
