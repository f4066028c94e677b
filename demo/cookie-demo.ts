/**
 * The cookie part of the whole-mission demo: two local provider services
 * (one good, one flaky: every third request answers 503), providers
 * registered by service name, a few cookies rotating every two seconds or so on
 * durable reminders, and one cookie whose service has no provider (config
 * missing: its monitor shows the error, nothing stops silently). The
 * provider services live in this process only, so each run logs its
 * cookies in again; the end of a run stops their schedules.
 *
 * Cookie values exist in the services, the rotate threads and the store;
 * everything this module reports is ids, statuses, key names and short
 * hashes. Its invariants search every report and monitor for the values the
 * services issued.
 */
import { COOKIE_REPORTS, CookieProviders, createCookieActors, type CookieDefinition, type CookieSnapshot, type RotationReport } from '../src/actors/cookies/index.js';
import type { ActorSystem, PersistencePort } from '../src/runtime/index.js';
import { CookieProviderService } from '../examples/cookie-provider/service.js';
import type { ProgressRow } from './progress-bars.js';

/** One demo cookie: its id, service, and the account it logs in as. */
interface DemoCookie {
  readonly cookieId: string;
  readonly service: string;
  readonly account: string;
  readonly keys: readonly string[];
  /** Which provider service issues it. */
  readonly issuer: 'good' | 'flaky';
}

/** The cookies of the demo. `vault` has no provider registered: its config is missing on purpose. */
export const DEMO_COOKIES: readonly DemoCookie[] = [
  { cookieId: 'shop-ann', service: 'shop', account: 'ann', keys: ['sid'], issuer: 'good' },
  { cookieId: 'shop-ben', service: 'shop', account: 'ben', keys: ['sid'], issuer: 'good' },
  { cookieId: 'forum-cora', service: 'forum', account: 'cora', keys: ['token', 'csrf'], issuer: 'flaky' },
  { cookieId: 'vault-dev', service: 'vault', account: 'dev', keys: ['sid'], issuer: 'good' },
];
/** The cookie whose provider config is missing. */
export const MISSING_CONFIG_COOKIE = 'vault-dev';

/** What the demo shows of one cookie at the end (no value). */
export interface CookieDemoLine {
  readonly snapshot: CookieSnapshot;
  readonly succeeded: number;
  readonly failed: number;
}

/** The cookie demo, between the services' start and the system's shutdown. */
export interface CookieDemo {
  /** The cookie actor type: list it in the system's reminder actors, and give the system a `rotate` pool. */
  readonly Cookie: CookieDefinition;
  /** Registers every cookie with a fresh login (scheduled), and shows a joined rotation and the missing config. */
  start(system: ActorSystem, note: (line: string) => void): Promise<void>;
  /** Every cookie's snapshot and this run's rotation counts (counted from reports read at most a second ago, unless `fresh`). */
  lines(system: ActorSystem, reader: PersistencePort, fresh?: boolean): Promise<CookieDemoLine[]>;
  /** This run's failed rotations, newest first. */
  latestFailures(reader: PersistencePort, limit: number): Promise<RotationReport[]>;
  row(lines: readonly CookieDemoLine[]): ProgressRow;
  /** Invariant breaks in `lines` (and the reports they were counted from): an older revision over a newer one, two rotations of one account at once, a silent missing config, a value in a report or monitor. */
  violations(lines: readonly CookieDemoLine[]): string[];
  /** Stops every cookie's schedule (the next run logs in again); nothing if it never started. */
  stop(system: ActorSystem): Promise<void>;
  close(): Promise<void>;
}

const isFailure = (report: RotationReport) => report.status !== 'success';

/**
 * Starts the two provider services and defines the cookie actors.
 *
 * @example
 * ```ts
 * const cookies = await startCookieDemo(Date.now());
 * const system = new ActorSystem({ persistence, pools: { rotate: new PiscinaPool({ name: 'rotate' }) }, reminders: { actors: [cookies.Cookie] } });
 * await cookies.start(system, console.log);
 * ```
 */
export async function startCookieDemo(since: number): Promise<CookieDemo> {
  const good = await CookieProviderService.start();
  const flaky = await CookieProviderService.start({ flakyEvery: 3 });
  flaky.mode = 'flaky';
  const services = { good, flaky };
  const providers = new CookieProviders();
  providers.register({ service: 'shop', validateUrl: `${good.url}/validate`, rotateUrl: `${good.url}/rotate`, cookieKeys: ['sid'], rotateEveryMs: 2_000, jitterMs: 500, requestTimeoutMs: 2_000 });
  providers.register({ service: 'forum', validateUrl: `${flaky.url}/validate`, rotateUrl: `${flaky.url}/rotate`, cookieKeys: ['token', 'csrf'], rotateEveryMs: 2_500, jitterMs: 500, requestTimeoutMs: 2_000 });
  const { Cookie } = createCookieActors({ providers, retryBackoffMs: 500, owner: `demo pid ${process.pid}` });
  const revisions = new Map<string, number>();
  /** This run's reports as `lines` last read them (the invariants search the same ones), and when: a live view reads them once a second at most. */
  let lastReports: RotationReport[] = [];
  let readAt = -Infinity;
  /** Whether start() ran: an interrupted demo may end before it, and its cookies are then neither rotated nor stopped. */
  let started = false;

  const thisRun = async (reader: PersistencePort): Promise<RotationReport[]> =>
    (await reader.query<RotationReport>(COOKIE_REPORTS)).map((record) => record.value).filter((report) => report.startedAt >= since);

  return {
    Cookie,
    async start(system, note) {
      started = true;
      for (const cookie of DEMO_COOKIES) await register(system, Cookie, cookie, services[cookie.issuer].issue(cookie.account, cookie.keys));
      const [first, second] = await Promise.all([system.ref(Cookie, 'shop-ann').ask('rotate', {}), system.ref(Cookie, 'shop-ann').ask('rotate', {})]);
      const joined = await first.settled;
      note(`cookies: two rotate requests for shop-ann at once: one rotation (attempt ${joined.attemptNumber}, ${joined.status}), the second joined it: ${second.joined}`);
      const missing = await (await system.ref(Cookie, MISSING_CONFIG_COOKIE).ask('rotate', {})).settled;
      note(`cookies: ${MISSING_CONFIG_COOKIE} has no provider config: ${missing.status}, "${missing.message}"`);
    },
    async lines(system, reader, fresh = false) {
      if (fresh || performance.now() - readAt >= 1_000) {
        lastReports = await thisRun(reader);
        readAt = performance.now();
      }
      const reports = lastReports;
      return Promise.all(
        DEMO_COOKIES.map(async ({ cookieId }) => {
          const mine = reports.filter((report) => report.cookieId === cookieId);
          return { snapshot: await system.ref(Cookie, cookieId).ask('status', {}), succeeded: mine.filter((r) => !isFailure(r)).length, failed: mine.filter(isFailure).length };
        }),
      );
    },
    async latestFailures(reader, limit) {
      return (await thisRun(reader)).filter(isFailure).sort((a, b) => b.finishedAt - a.finishedAt).slice(0, limit);
    },
    row(lines) {
      const succeeded = lines.reduce((total, line) => total + line.succeeded, 0);
      const failed = lines.reduce((total, line) => total + line.failed, 0);
      const errored = lines.filter((line) => line.snapshot.monitor.workerStatus === 'error').length;
      return {
        label: `cookies (${lines.length}, ${providers.services().length} providers)`,
        done: succeeded,
        total: succeeded + failed,
        status: lines.some((line) => line.snapshot.rotating !== null) ? 'rotating' : 'scheduled',
        detail: `ok ${succeeded}  failed ${failed}  in error ${errored}`,
      };
    },
    violations(lines) {
      const broken: string[] = [];
      for (const { snapshot } of lines) {
        const before = revisions.get(snapshot.cookieId) ?? 0;
        if (snapshot.revision < before) broken.push(`cookie ${snapshot.cookieId}: revision went back from ${before} to ${snapshot.revision}`);
        revisions.set(snapshot.cookieId, Math.max(before, snapshot.revision));
        if (started && snapshot.cookieId === MISSING_CONFIG_COOKIE && (snapshot.monitor.workerStatus !== 'error' || !snapshot.monitor.lastMessage)) {
          broken.push(`cookie ${snapshot.cookieId}: its config is missing but the monitor shows ${snapshot.monitor.workerStatus}`);
        }
      }
      for (const [name, service] of Object.entries(services)) {
        if (service.stats.maxConcurrentPerAccount > 1) broken.push(`cookies: the ${name} provider saw ${service.stats.maxConcurrentPerAccount} rotations of one account at once`);
      }
      const shown = JSON.stringify([lines, lastReports]);
      const leaked = [...good.issuedValues(), ...flaky.issuedValues()].filter((value) => shown.includes(value)).length;
      if (leaked > 0) broken.push(`cookies: ${leaked} secret value(s) in a report, monitor or snapshot`);
      return broken;
    },
    async stop(system) {
      if (!started) return;
      await Promise.all(DEMO_COOKIES.map(({ cookieId }) => system.ref(Cookie, cookieId).ask('stop', {}).catch(() => undefined)));
    },
    async close() {
      await good.close();
      await flaky.close();
    },
  };
}

/** Registers a fresh login; a rotation still in flight (a schedule an earlier run left armed) is waited for first. */
async function register(system: ActorSystem, Cookie: CookieDefinition, cookie: DemoCookie, value: string): Promise<void> {
  const ref = system.ref(Cookie, cookie.cookieId);
  for (let tries = 1; ; tries++) {
    try {
      await ref.ask('register', { service: cookie.service, value, profileId: cookie.account, launchOnStartup: true });
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_INVALID_STATE' || tries >= 3) throw error;
      await (await ref.ask('rotate', {})).settled.catch(() => undefined);
    }
  }
}
