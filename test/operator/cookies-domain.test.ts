/**
 * The cookies domain over records the real cookie actors wrote (default
 * provider task, local provider on loopback): each cookie's monitor, its
 * keys as name#hash, whether its value is sealed, the latest failed
 * rotations; sealed and plaintext values side by side, neither ever shown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/persistence/index.js';
import { shortHash } from '../../src/actors/cookies/index.js';
import { cookiesDomain, type DomainView } from '../../src/operator/index.js';
import { CookieProviderService } from '../../examples/cookie-provider/service.js';
import { cookieWorld, SECRET_KEY, startProvider, type CookieWorld } from './fixtures/cookie-world.js';
import { reportsToRead } from '../../src/operator/domains/cookie-reports.js';
import { createHash } from 'node:crypto';
import { COOKIES } from '../../src/actors/cookies/index.js';
import { COOKIES_NOW, manyCookieOps } from './fixtures/many-cookies.js';

const worlds: CookieWorld[] = [];
let provider: CookieProviderService | undefined;
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.close();
  await provider?.close();
  provider = undefined;
});

const table = (view: DomainView, title: string) => view.tables.find((t) => t.title.startsWith(title));
const sid = (cookie: string) => cookie.replace(/^sid=/, '');

describe('cookies domain', () => {
  it('shows each cookie with its service and monitor, failing first, and the latest failed rotations; no value, sealed or plain', async () => {
    provider = await startProvider();
    const store = new MemoryStore();
    // A world without a key: values stored as they are.
    const plain = cookieWorld(store, provider);
    worlds.push(plain);
    await plain.registerAndRotate('shop-ann', 'shop', provider.issue('ann'));
    await plain.registerAndRotate('shop-bob', 'shop', 'sid=not-a-value-the-service-issued'); // refused: validation_failed, needs action
    await plain.cookie('forum-cy').ask('register', { service: 'forum', value: 'token=forum-secret-value' }); // no provider: config missing
    await plain.rotate('forum-cy');
    await plain.close();
    worlds.pop();
    // Then one with STEWARD_SECRET_KEY on the same store: values sealed.
    const sealed = cookieWorld(store, provider, SECRET_KEY);
    worlds.push(sealed);
    await sealed.registerAndRotate('shop-dan', 'shop', provider.issue('dan'));
    provider.mode = 'down';
    await sealed.rotate('shop-dan');
    await sealed.rotate('shop-dan');
    provider.mode = 'good';

    const now = sealed.system.clock.now();
    const view = await cookiesDomain().read(sealed.persistence, { now });
    expect(view.counts).toEqual({ total: 4, scheduled: 0, rotating: 0, stopped: 2, error: 2, failing: 3, sealed: 1 });
    expect(view.alerts).toEqual(['2 cookie(s) need action (status error): forum-cy, shop-bob']);
    const rows = table(view, 'cookies')?.rows ?? [];
    const byId = new Map(rows.map((row) => [row[0], row]));
    expect(rows.map((row) => row[0])).toEqual(['shop-dan', expect.any(String), expect.any(String), 'shop-ann']); // most consecutive failures first
    const dan = byId.get('shop-dan') ?? [];
    expect(dan.slice(0, 4)).toEqual(['shop-dan', 'shop', 'stopped', 'unreachable']);
    expect(dan.slice(5, 8)).toEqual([2, 2, 'sealed']); // two failures in a row; revision 2 (register + rotation); sealed at rest
    const danValue = provider.current('dan');
    expect(dan[8]).toBe(`sid#${shortHash(sid(danValue))}`); // the cookie package's own mask of the value it holds
    const ann = byId.get('shop-ann') ?? [];
    expect(ann.slice(0, 8)).toEqual(['shop-ann', 'shop', 'stopped', 'success', expect.stringMatching(/^\d+s ago$/), 0, 2, 'plain']);
    expect(ann[8]).toBe(`sid#${shortHash(sid(provider.current('ann')))}`);
    expect(byId.get('forum-cy')?.slice(1, 4)).toEqual(['forum', 'error', 'failed']);
    expect(byId.get('shop-bob')?.slice(2, 4)).toEqual(['error', 'validation_failed']);

    const failures = table(view, 'latest failed rotations')?.rows ?? [];
    expect(failures.map((row) => row.slice(0, 4))).toEqual([
      ['shop-dan', 'shop', 3, 'unreachable'],
      ['shop-dan', 'shop', 2, 'unreachable'],
      ['forum-cy', 'forum', 1, 'failed'],
      ['shop-bob', 'shop', 1, 'validation_failed'],
    ]);
    expect(String(failures[2]?.[5])).toContain("no provider is registered for service 'forum'");

    const shown = JSON.stringify(view);
    for (const secret of [...provider.issuedValues(), 'not-a-value-the-service-issued', 'forum-secret-value', 'gcm1:', 'plain:']) expect(shown).not.toContain(secret);
  });
});

describe('which reports the cookies domain reads', () => {
  const cookie = (id: string, finishedAts: number[], consecutiveFailures = 0) => ({
    cookieId: id,
    newest: finishedAts.map((finishedAt, i) => ({ cookieId: id, key: `${String(i + 1).padStart(10, '0')}@${finishedAt}`, finishedAt })),
    consecutiveFailures,
  });

  it('reads the failing cookies’ newest reports however old, the newest overall, and each listed cookie’s newest, within a bound', () => {
    const busy = Array.from({ length: 300 }, (_, i) => cookie(`busy-${i}`, [10_000 + i * 10, 10_001 + i * 10]));
    const stuck = cookie('stuck', [1, 2, 3], 2); // failing for ages: older than every other report
    const quiet = cookie('quiet', [5]); // listed, otherwise never read
    const refs = reportsToRead([...busy, stuck, quiet], [stuck, quiet]);
    const keys = refs.map((ref) => `${ref.cookieId}@${ref.finishedAt}`);
    expect(keys).toEqual(expect.arrayContaining(['stuck@3', 'stuck@2', 'quiet@5', 'busy-299@12991', 'busy-299@12990']));
    expect(keys).not.toContain('stuck@1'); // two failures in a row: the third newest succeeded
    expect(refs.length).toBeLessThanOrEqual(300);
    expect(refs.map((ref) => ref.finishedAt)).toEqual([...refs.map((ref) => ref.finishedAt)].sort((a, b) => b - a)); // newest first
    expect(keys.filter((key) => key.startsWith('busy-')).length).toBe(100); // the newest overall, bounded
  });
});

describe('the cookies domain over many cookies', () => {
  const digest = (view: DomainView) => createHash('sha256').update(JSON.stringify(view)).digest('hex').slice(0, 16);

  it('shows exactly what it showed before its one-pass read (the digest of the whole view is the old implementation\'s), read after read', async () => {
    const store = new MemoryStore();
    await store.commit(manyCookieOps(3_000));
    const domain = cookiesDomain();
    const view = await domain.read(store, { now: COOKIES_NOW });
    expect(view.counts).toEqual(COUNTS);
    expect(view.alerts.length).toBe(31); // 30 malformed states, and the cookies in error
    expect(table(view, 'cookies')?.rows.length).toBe(100);
    expect(table(view, 'latest failed rotations')?.rows.length).toBe(20);
    expect(digest(view)).toBe(DIGEST);
    expect(await domain.read(store, { now: COOKIES_NOW })).toEqual(view);
    expect(await cookiesDomain().read(store, { now: COOKIES_NOW })).toEqual(view);
  });

  it('a refresh shows the cookies that changed since the last read', async () => {
    const store = new MemoryStore();
    await store.commit(manyCookieOps(300));
    const domain = cookiesDomain();
    const before = await domain.read(store, { now: COOKIES_NOW });
    const [record] = await store.query<{ monitor: object }>(COOKIES, { after: 'c000200', limit: 1 });
    if (!record) throw new Error('no cookie c000201');
    const monitor = { ...record.value.monitor, workerStatus: 'error', consecutiveFailures: 9 };
    await store.commit([{ op: 'put', collection: COOKIES, key: record.key, value: { ...record.value, monitor }, expectedRevision: record.revision }]);
    const after = await domain.read(store, { now: COOKIES_NOW });
    expect(table(after, 'cookies')?.rows[0]?.slice(0, 6)).toEqual(['c000201', 'forum', 'error', 'success', expect.any(String), 9]);
    expect(after.counts.failing).toBe((before.counts.failing ?? 0) + 1);
    expect(after.counts.error).toBe((before.counts.error ?? 0) + 1);
  });
});

const COUNTS = { total: 3000, scheduled: 900, rotating: 900, stopped: 900, error: 270, failing: 425, sealed: 600 };
/** The digest of the view as the implementation before the one-pass read (commit e1468b1) showed it. */
const DIGEST = 'e74651472a6d3617';
