/**
 * Cookie rotation on the real runtime: real pool threads running the default
 * provider task against the local provider service over loopback, a lowdb
 * directory, durable reminders. Every wait is on a durable commit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { COOKIE_MONITORS, COOKIE_REPORTS, COOKIES, CookieProviders, launchCookies, shortHash, type CookieMonitor } from '../../../src/actors/cookies/index.js';
import { closeWorlds, cookieWorld } from './helpers.js';

afterEach(closeWorlds);

const sidOf = (cookie: string) => cookie.split('; ').find((pair) => pair.startsWith('sid='))?.slice(4) ?? '';

describe('cookie rotation against the local provider (real threads, loopback HTTP, lowdb)', () => {
  it('rotates with the default provider: new value from Set-Cookie, validated, report + cookie + monitor in one commit', async () => {
    const world = await cookieWorld();
    const value = world.service.issue('ann');
    const cookie = world.cookie('shop-ann');
    await cookie.ask('register', { service: 'shop', value, profileId: 'ann' });
    const ticket = await cookie.ask('rotate', {});
    expect(ticket.joined).toBe(false);
    const summary = await ticket.settled;
    expect(summary).toMatchObject({ cookieId: 'shop-ann', attemptNumber: 1, status: 'success', revision: 2 });
    expect(summary.keys).toEqual([{ key: 'sid', present: true, hash: shortHash(sidOf(world.service.current('ann'))) }]);
    const outcome = world.persistence.batches.find((batch) => batch.some((op) => op.collection === COOKIE_REPORTS)) ?? [];
    expect(outcome.map((op) => op.collection).sort()).toEqual([COOKIE_MONITORS, COOKIE_REPORTS, COOKIES].sort());
    const [report] = world.persistence.reports();
    expect(report).toMatchObject({ cookieId: 'shop-ann', profileId: 'ann', service: 'shop', status: 'success', attemptNumber: 1, validateUrl: `${world.service.url}/validate` });
    expect(report?.meta).toMatchObject({ rotateStatus: 200, validateStatus: 200, setKeys: 'sid' });
    const monitor = (await world.persistence.get<CookieMonitor>(COOKIE_MONITORS, 'shop-ann'))?.value;
    expect(monitor).toMatchObject({ workerStatus: 'stopped', lastStatus: 'success', consecutiveFailures: 0 });
    // The service accepts what the actor holds: the next rotation starts from it.
    expect((await (await cookie.ask('rotate', {})).settled).status).toBe('success');
    expect(world.service.rotations('ann')).toBe(3); // issued once, rotated twice
  });

  it('two rotate requests at once: the second joins the first, one request reaches the service', async () => {
    const world = await cookieWorld({ serviceOptions: { slowMs: 300 } });
    const cookie = world.cookie('c');
    await cookie.ask('register', { service: 'shop', value: world.service.issue('ann') });
    world.service.mode = 'slow';
    const [first, second] = await Promise.all([cookie.ask('rotate', {}), cookie.ask('rotate', {})]);
    expect([first.joined, second.joined]).toEqual([false, true]);
    expect(second.attemptNumber).toBe(first.attemptNumber);
    const [a, b] = await Promise.all([first.settled, second.settled]);
    expect(a).toEqual(b);
    expect(a.status).toBe('success');
    expect(world.service.stats.rotations).toBe(1);
    expect(world.service.stats.maxConcurrentPerAccount).toBe(1);
    expect(world.persistence.reports()).toHaveLength(1);
  });

  it('a manual rotate during a scheduled one joins it; the reminder keeps firing', async () => {
    const world = await cookieWorld({
      serviceOptions: { slowMs: 400 },
      register: (providers, svc) => providers.register({ service: 'shop', validateUrl: `${svc.url}/validate`, rotateUrl: `${svc.url}/rotate`, cookieKeys: ['sid'], rotateEveryMs: 1_000 }),
    });
    const cookie = world.cookie('c');
    world.service.mode = 'slow';
    await cookie.ask('register', { service: 'shop', value: world.service.issue('ann'), launchOnStartup: true });
    await new Promise<void>((resolve) => (world.service.onRotateRequest = resolve)); // the scheduled rotation reached the service
    const manual = await cookie.ask('rotate', {});
    expect(manual.joined).toBe(true);
    expect((await manual.settled).status).toBe('success');
    await world.persistence.until(() => world.persistence.reports().filter((report) => report.status === 'success').length >= 2);
    expect(world.service.stats.maxConcurrentPerAccount).toBe(1);
    const reports = world.persistence.reports();
    expect(new Set(reports.map((report) => report.attemptNumber)).size).toBe(reports.length);
  });

  it('provider down for a while: failures counted per cookie, then recovery resets the count', async () => {
    const world = await cookieWorld();
    const cookie = world.cookie('c');
    await cookie.ask('register', { service: 'shop', value: world.service.issue('ann') });
    world.service.mode = 'down';
    for (let i = 1; i <= 3; i++) {
      const summary = await (await cookie.ask('rotate', {})).settled;
      expect(summary.status).toBe('unreachable');
      expect((await cookie.ask('status', {})).monitor.consecutiveFailures).toBe(i);
    }
    world.service.mode = 'flaky'; // every second request 503s: rotate (1) passes, validate (2) fails
    expect((await (await cookie.ask('rotate', {})).settled).status).toBe('unreachable');
    world.service.mode = 'good';
    const summary = await (await cookie.ask('rotate', {})).settled;
    expect(summary.status).toBe('success');
    const { monitor } = await cookie.ask('status', {});
    expect(monitor).toMatchObject({ consecutiveFailures: 0, lastStatus: 'success' });
    expect(world.persistence.reports().map((report) => report.status)).toEqual(['unreachable', 'unreachable', 'unreachable', 'unreachable', 'success']);
  });

  it('missing or invalid config shows an error status with a clear message; nothing stops silently', async () => {
    const world = await cookieWorld();
    const lost = world.cookie('lost');
    const registered = await lost.ask('register', { service: 'nowhere', value: 'sid=abc', launchOnStartup: true });
    expect(registered.monitor).toMatchObject({ workerStatus: 'error', lastMessage: expect.stringContaining("no provider is registered for service 'nowhere'") as unknown });
    const summary = await (await lost.ask('rotate', {})).settled;
    expect(summary.status).toBe('failed');
    const { monitor } = await lost.ask('status', {});
    expect(monitor.workerStatus).toBe('error');
    expect(monitor.lastMessage).toMatchInlineSnapshot(`"no provider is registered for service 'nowhere' (cookie 'lost'): register one with providers.register({ service: 'nowhere', ... })"`);
    expect(world.persistence.reports()[0]?.meta).toEqual({ config: 'missing' });
    expect((await lost.ask('start', {})).monitor.workerStatus).toBe('error');

    const partial = world.cookie('partial');
    await partial.ask('register', { service: 'shop', value: 'theme=dark' });
    expect((await (await partial.ask('rotate', {})).settled).message).toMatchInlineSnapshot(`"cookie 'partial' has no sid: the provider of 'shop' rotates sid; register the full cookie"`);
    expect((await partial.ask('status', {})).monitor.workerStatus).toBe('error');

    const providers = new CookieProviders();
    expect(() => providers.register({ service: 'bad', validateUrl: 'ftp://x', cookieKeys: [], rotateEveryMs: 10 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_CONFIG', message: expect.stringContaining('cookieKeys') as unknown }),
    );
    expect(providers.services()).toEqual([]);
    await expect(world.cookie('nobody').ask('rotate', {})).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('a value the service no longer accepts: validation_failed, and the monitor says a person must act', async () => {
    const world = await cookieWorld();
    const cookie = world.cookie('c');
    await cookie.ask('register', { service: 'shop', value: world.service.issue('ann'), launchOnStartup: true });
    world.service.issue('ann'); // logged in elsewhere: the stored value is stale now
    const summary = await (await cookie.ask('rotate', {})).settled;
    expect(summary.status).toBe('validation_failed');
    const { monitor } = await cookie.ask('status', {});
    expect(monitor.workerStatus).toBe('error');
    expect(monitor.lastMessage).toContain('no longer accepted');
    expect(await world.system.ref(world.Cookie, 'c').ask('status', {})).toMatchObject({ revision: 1 });
  });

  it('several services side by side, each with its own provider', async () => {
    const world = await cookieWorld({
      register: (providers, svc) => {
        providers.register({ service: 'shop', validateUrl: `${svc.url}/validate`, rotateUrl: `${svc.url}/rotate`, cookieKeys: ['sid'], rotateEveryMs: 3_600_000 });
        providers.register({ service: 'forum', validateUrl: `${svc.url}/validate`, rotateUrl: `${svc.url}/rotate`, cookieKeys: ['token', 'csrf'], rotateEveryMs: 86_400_000 });
      },
    });
    await world.cookie('shop-ann').ask('register', { service: 'shop', value: world.service.issue('ann') });
    await world.cookie('forum-bob').ask('register', { service: 'forum', value: world.service.issue('bob', ['token', 'csrf']) });
    const [shop, forum] = await Promise.all([world.cookie('shop-ann').ask('rotate', {}), world.cookie('forum-bob').ask('rotate', {})]);
    expect((await shop.settled).keys.map((key) => key.key)).toEqual(['sid']);
    expect((await forum.settled).keys.map((key) => key.key)).toEqual(['token', 'csrf']);
    expect((await forum.settled).status).toBe('success');
  });

  it('a transient store failure is retried with backoff; past the tries it is critical and the restart recovers', async () => {
    const critical: string[] = [];
    const world = await cookieWorld({ cookies: { commitBackoffMs: 5, commitAttempts: 3, onCritical: ({ code }) => critical.push(code) } });
    const cookie = world.cookie('c');
    await cookie.ask('register', { service: 'shop', value: world.service.issue('ann') });
    world.persistence.failReportCommits = 2;
    expect((await (await cookie.ask('rotate', {})).settled).status).toBe('success');
    expect(critical).toEqual([]);
    world.persistence.failReportCommits = 3;
    const lost = await cookie.ask('rotate', {});
    // Its callers hear that the attempt was interrupted; the restarted actor tries again from the stored value.
    expect(await lost.settled).toMatchObject({ attemptNumber: lost.attemptNumber, status: 'failed', message: expect.stringContaining('interrupted') as unknown });
    await world.persistence.until(() => world.persistence.reports().some((report) => report.meta.interrupted === true));
    await world.persistence.until(() => world.persistence.reports().at(-1)?.status === 'success' && world.persistence.reports().length >= 3);
    expect(critical).toEqual(['ERR_PERSIST_FAILED']);
    // Recovered from the stored value within the service's grace window: the service accepts what is stored now.
    expect((await cookie.ask('status', {})).keys[0]?.hash).toBe(shortHash(sidOf(world.service.current('ann'))));
  });

  it('retention keeps the newest reports per cookie', async () => {
    const world = await cookieWorld({ cookies: { retention: { keep: 2 } } });
    const cookie = world.cookie('c');
    await cookie.ask('register', { service: 'shop', value: world.service.issue('ann') });
    for (let i = 0; i < 4; i++) await (await cookie.ask('rotate', {})).settled;
    const kept = await world.persistence.query(COOKIE_REPORTS);
    expect(kept.map((record) => (record.value as { attemptNumber: number }).attemptNumber)).toEqual([3, 4]);
  });

  it('launchOnStartup cookies start with the system; a restarted reminder still fires after passivation', async () => {
    const register = (providers: CookieProviders, svc: { url: string }) =>
      providers.register({ service: 'shop', validateUrl: `${svc.url}/validate`, rotateUrl: `${svc.url}/rotate`, cookieKeys: ['sid'], rotateEveryMs: 1_000 });
    const first = await cookieWorld({ register, cookies: { passivation: { idleAfterMs: 100 } } });
    await first.cookie('auto').ask('register', { service: 'shop', value: first.service.issue('ann'), launchOnStartup: true });
    await first.cookie('manual').ask('register', { service: 'shop', value: first.service.issue('bob') });
    await first.system.shutdown();
    const second = await cookieWorld({ dir: first.dir, service: first.service, register, cookies: { passivation: { idleAfterMs: 100 } } });
    const passivated: string[] = [];
    second.system.events.on('actor.stopped', ({ key, reason }) => void (reason === 'passivated' && passivated.push(key)));
    expect(await launchCookies(second.system, second.persistence, second.Cookie)).toEqual({ started: 1, failed: [] });
    await second.persistence.until(() => second.persistence.reports().filter((report) => report.cookieId === 'auto').length >= 2);
    expect(passivated).toContain('auto'); // idle between firings: the reminder woke it
    expect(second.persistence.reports().every((report) => report.cookieId === 'auto' && report.status === 'success')).toBe(true);
  });
});
