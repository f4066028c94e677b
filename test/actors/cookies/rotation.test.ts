import { afterEach, describe, expect, it } from 'vitest';
import {
  COOKIE_MONITORS,
  COOKIE_REPORTS,
  COOKIES,
  CookieProviders,
  RotationReportSchema,
  launchCookiesOnStartup,
  type CookieMonitor,
  type CookieState,
  type RotationReport,
} from '../../../src/actors/cookies/index.js';
import { startCookieRig, type CookieRig } from './helpers.js';

let rig: CookieRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const reportsOf = async (r: CookieRig, cookieId: string) =>
  (await r.persistence.query<RotationReport>(COOKIE_REPORTS, { prefix: `${cookieId}/` })).map((record) => RotationReportSchema.parse(record.value));
const monitorOf = async (r: CookieRig, cookieId: string) => (await r.persistence.get<CookieMonitor>(COOKIE_MONITORS, cookieId))?.value;
const valueOf = async (r: CookieRig, cookieId: string) => {
  const value = (await r.persistence.get<CookieState>(COOKIES, cookieId))?.value.value;
  return value?.kind === 'plain' ? value.value : undefined;
};

describe('cookie rotation against the local provider', () => {
  it('rotates with the default provider: new value from Set-Cookie, validated, one commit of report + cookie + monitor', async () => {
    rig = await startCookieRig();
    rig.providers.register(rig.config('shop'));
    const cookie = rig.system.ref(rig.Cookie, 'shop-ann');
    const first = rig.provider.issue();
    await cookie.ask('register', { service: 'shop', profileId: 'ann', value: `${first}; theme=dark` });
    const summary = await (await cookie.ask('rotate', {})).settled;
    expect(summary).toMatchObject({ status: 'success', revision: 2, attemptNumber: 1 });
    const stored = await valueOf(rig, 'shop-ann');
    expect(stored).toMatch(/^sid=[\w-]+; theme=dark$/);
    expect(rig.provider.isCurrent(stored as string)).toBe(true);
    const outcomeBatch = rig.persistence.batches.at(-1) ?? [];
    expect(outcomeBatch.map((op) => op.collection).sort()).toEqual([COOKIE_MONITORS, COOKIE_REPORTS, COOKIES]);
    const [report] = await reportsOf(rig, 'shop-ann');
    expect(report).toMatchObject({ cookieId: 'shop-ann', profileId: 'ann', service: 'shop', status: 'success', attemptNumber: 1, validateUrl: `${rig.provider.url}/validate` });
    expect(report?.cookieKeys.map((key) => key.name)).toEqual(['sid', 'theme']);
    expect(await monitorOf(rig, 'shop-ann')).toMatchObject({ workerStatus: 'idle', lastStatus: 'success', consecutiveFailures: 0, owner: 'cookie/shop-ann' });
  });

  it('a manual rotate during a scheduled one joins it: one call to the service', async () => {
    rig = await startCookieRig();
    rig.providers.register(rig.config('shop', { rotateEveryMs: 50 }));
    const cookie = rig.system.ref(rig.Cookie, 'shop-ann');
    const hold = rig.provider.holdNextRotation();
    await cookie.ask('register', { service: 'shop', value: rig.provider.issue() });
    await hold.reached; // the scheduled rotation is at the service now
    const manual = await cookie.ask('rotate', {});
    expect(manual).toMatchObject({ attemptNumber: 1, joined: true });
    hold.release();
    expect(await manual.settled).toMatchObject({ status: 'success', attemptNumber: 1 });
    expect(rig.provider.stats.rotations).toBe(1);
  });

  it('two rotate requests at once: one rotation, both callers get its outcome', async () => {
    rig = await startCookieRig();
    rig.providers.register(rig.config('shop'));
    const cookie = rig.system.ref(rig.Cookie, 'shop-ann');
    await cookie.ask('register', { service: 'shop', value: rig.provider.issue() });
    const [a, b] = await Promise.all([cookie.ask('rotate', {}), cookie.ask('rotate', {})]);
    expect([a.joined, b.joined]).toEqual([false, true]);
    const [sa, sb] = await Promise.all([a.settled, b.settled]);
    expect(sa).toEqual(sb);
    expect(rig.provider.stats.rotations).toBe(1);
    expect(await reportsOf(rig, 'shop-ann')).toHaveLength(1);
  });

  it('provider down for a while: consecutive failures counted as unreachable, then recovery resets them', async () => {
    rig = await startCookieRig();
    rig.providers.register(rig.config('shop', { requestTimeoutMs: 500 }));
    const cookie = rig.system.ref(rig.Cookie, 'shop-ann');
    await cookie.ask('register', { service: 'shop', value: rig.provider.issue() });
    rig.provider.setMode('unreachable');
    for (let i = 1; i <= 3; i++) {
      expect(await (await cookie.ask('rotate', {})).settled).toMatchObject({ status: 'unreachable', attemptNumber: i, revision: 1 });
      expect(await monitorOf(rig, 'shop-ann')).toMatchObject({ consecutiveFailures: i, lastStatus: 'unreachable', workerStatus: 'idle' });
    }
    rig.provider.setMode('failing');
    expect(await (await cookie.ask('rotate', {})).settled).toMatchObject({ status: 'failed' });
    rig.provider.setMode('ok');
    expect(await (await cookie.ask('rotate', {})).settled).toMatchObject({ status: 'success', attemptNumber: 5, revision: 2 });
    expect(await monitorOf(rig, 'shop-ann')).toMatchObject({ consecutiveFailures: 0, lastStatus: 'success' });
    expect((await reportsOf(rig, 'shop-ann')).map((report) => report.status)).toEqual(['unreachable', 'unreachable', 'unreachable', 'failed', 'success']);
  });

  it('config missing: the monitor shows an error with a clear message, a report says so, nothing is scheduled', async () => {
    rig = await startCookieRig();
    const cookie = rig.system.ref(rig.Cookie, 'bank-ann');
    await cookie.ask('register', { service: 'bank', value: 'session=abc' });
    const summary = await (await cookie.ask('rotate', {})).settled;
    expect(summary.status).toBe('failed');
    expect(summary.message).toMatchInlineSnapshot(`"no provider registered for service 'bank': register one with providers.register({ service: 'bank', ... })"`);
    expect(await monitorOf(rig, 'bank-ann')).toMatchObject({ workerStatus: 'error', lastStatus: 'failed', lastMessage: summary.message });
    expect(await reportsOf(rig, 'bank-ann')).toMatchObject([{ status: 'failed', meta: { config: 'missing' } }]);
  });

  it('config that does not fit the cookie (a key the provider rotates is absent) is an error too', async () => {
    rig = await startCookieRig();
    rig.providers.register(rig.config('shop', { cookieKeys: ['sid', 'csrf'] }));
    const cookie = rig.system.ref(rig.Cookie, 'shop-ann');
    await cookie.ask('register', { service: 'shop', value: rig.provider.issue() });
    const summary = await (await cookie.ask('rotate', {})).settled;
    expect(summary.message).toMatchInlineSnapshot(`"cookie 'shop-ann' has no csrf: the provider of 'shop' rotates those keys"`);
    expect((await monitorOf(rig, 'shop-ann'))?.workerStatus).toBe('error');
    expect(rig.provider.stats.rotations).toBe(0);
  });

  it('invalid provider config is refused at registration with ERR_INVALID_CONFIG, registering nothing', () => {
    const providers = new CookieProviders();
    expect(() => providers.register({ service: 'shop', validateUrl: 'not a url', cookieKeys: [], rotateEveryMs: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidConfigError: cookie provider 'shop' is invalid: validateUrl: Invalid URL; cookieKeys: name at least one cookie key the service rotates; rotateEveryMs: Too small: expected number to be >=1]`,
    );
    expect(providers.services()).toEqual([]);
  });

  it('several services side by side, each rotated by its own provider', async () => {
    rig = await startCookieRig();
    rig.providers.register(rig.config('shop'));
    rig.providers.register(rig.config('forum', { cookieKeys: ['sid'], validateUrl: `${rig.provider.url}/validate?forum` }));
    const shop = rig.system.ref(rig.Cookie, 'shop-ann');
    const forum = rig.system.ref(rig.Cookie, 'forum-ann');
    await shop.ask('register', { service: 'shop', value: rig.provider.issue() });
    await forum.ask('register', { service: 'forum', value: rig.provider.issue() });
    const results = await Promise.all([shop, forum].map(async (ref) => (await ref.ask('rotate', {})).settled));
    expect(results.map((result) => result.status)).toEqual(['success', 'success']);
    expect((await reportsOf(rig, 'forum-ann'))[0]?.validateUrl).toBe(`${rig.provider.url}/validate?forum`);
  });

  it('a stale value (rotated elsewhere, past the grace window) is reported and the monitor says a person must act', async () => {
    rig = await startCookieRig({ provider: { graceMs: 0 } });
    rig.providers.register(rig.config('shop'));
    const cookie = rig.system.ref(rig.Cookie, 'shop-ann');
    const value = rig.provider.issue();
    await cookie.ask('register', { service: 'shop', value });
    await fetch(`${rig.provider.url}/rotate`, { method: 'POST', headers: { cookie: value } }); // another rotator, the seed's bug
    const summary = await (await cookie.ask('rotate', {})).settled;
    expect(summary.status).toBe('validation_failed');
    expect(await monitorOf(rig, 'shop-ann')).toMatchObject({ workerStatus: 'error', lastMessage: expect.stringContaining('no longer accepted') });
  });

  it('a transient store failure is retried with backoff; past the last try it is reported critical', async () => {
    const critical: string[] = [];
    rig = await startCookieRig({ cookie: { commitAttempts: 3, commitBackoffMs: 5, onCritical: ({ message }) => critical.push(message) } });
    rig.providers.register(rig.config('shop'));
    const cookie = rig.system.ref(rig.Cookie, 'shop-ann');
    await cookie.ask('register', { service: 'shop', value: rig.provider.issue() });
    const ticket = await cookie.ask('rotate', {});
    rig.persistence.failNext = 2; // the outcome's commit fails twice, then lands
    expect(await ticket.settled).toMatchObject({ status: 'success', revision: 2 });
    expect(await reportsOf(rig, 'shop-ann')).toHaveLength(1);
    const second = await cookie.ask('rotate', {});
    rig.persistence.failNext = 3;
    const summary = await second.settled;
    expect(summary.message).toMatch(/^critical: the outcome of attempt 2 could not be stored after 3 tries/);
    expect(critical).toHaveLength(1);
    // The actor restarted from the store: attempt 2 is recovered as interrupted and retried from the stored value.
    await rig.persistence.until(async () => (await reportsOf(rig as CookieRig, 'shop-ann')).length >= 3);
    expect((await reportsOf(rig, 'shop-ann')).map((report) => [report.attemptNumber, report.status])).toEqual([[1, 'success'], [2, 'failed'], [3, 'success']]);
  });

  it('reports are idempotent on (cookieId, attemptNumber, startedAt): a repeated outcome writes nothing new', async () => {
    rig = await startCookieRig();
    rig.providers.register(rig.config('shop'));
    const cookie = rig.system.ref(rig.Cookie, 'shop-ann');
    await cookie.ask('register', { service: 'shop', value: rig.provider.issue() });
    await (await cookie.ask('rotate', {})).settled;
    const before = rig.persistence.batches.length;
    await cookie.ask('rotated', { attemptNumber: 1, result: { status: 'success', cookie: 'sid=forged', message: 'again', meta: {} } });
    expect(rig.persistence.batches.length).toBe(before);
    expect(await reportsOf(rig, 'shop-ann')).toHaveLength(1);
    expect(await valueOf(rig, 'shop-ann')).not.toBe('sid=forged');
  });

  it('launchOnStartup cookies are scheduled when the system starts', async () => {
    rig = await startCookieRig();
    rig.providers.register(rig.config('shop', { rotateEveryMs: 30 }));
    const { Cookie } = rig;
    await rig.persistence.commit([
      { op: 'put', collection: COOKIES, key: 'shop-ann', value: seeded('shop-ann', rig.provider.issue(), true) },
      { op: 'put', collection: COOKIES, key: 'shop-bob', value: seeded('shop-bob', rig.provider.issue(), false) },
    ]);
    expect(await launchCookiesOnStartup(rig.system, rig.persistence, Cookie)).toBe(1);
    await rig.persistence.until(async () => (await reportsOf(rig as CookieRig, 'shop-ann')).length >= 1);
    expect(await reportsOf(rig, 'shop-bob')).toHaveLength(0);
  });
});

function seeded(cookieId: string, value: string, launchOnStartup: boolean): CookieState {
  return {
    cookieId,
    profileId: null,
    service: 'shop',
    value: { kind: 'plain', value },
    lastRotatedAt: 0,
    revision: 1,
    launchOnStartup,
    attempts: 0,
    inFlight: null,
    monitor: { cookieId, workerStatus: 'idle', owner: `cookie/${cookieId}`, lastStatus: null, lastMessage: null, lastAttemptAt: null, consecutiveFailures: 0 },
  };
}
