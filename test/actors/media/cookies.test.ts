/**
 * The cookie source of the authenticated download, against a loopback host
 * whose video answers a login wall (HTML, 200) unless the request carries its
 * session cookie: what the source is asked, what the host receives, that a
 * cross-origin redirect never gets the cookie, and that the secret appears in
 * no event and no outcome.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MEDIA_HOST_COOKIE, startMediaHost, type MediaHost } from '../../../demo/media-host/index.js';
import { cookiesByPlatform, type CookieRequest } from '../../../src/actors/media/index.js';
import { filesUnder, mediaFixture, type MediaFixture } from './helpers.js';

let fx: MediaFixture;
const others: MediaHost[] = [];
beforeEach(async () => {
  fx = await mediaFixture();
});
afterEach(async () => {
  for (const host of others.splice(0)) await host.close();
  await fx.close();
});

const SECRET = MEDIA_HOST_COOKIE.split('=')[1]!;
const leaks = (value: unknown) => JSON.stringify(value).includes(SECRET);

describe('cookie source', () => {
  it('without cookies the login wall is invalid and the job fails, with no file', async () => {
    const outcome = await fx.pipeline().run({ jobId: 'j', postUrl: fx.host.postUrl('cookie') });
    expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_INVALID' });
    expect(fx.host.lastCookie('/media/private.mp4')).toBe('');
    expect(fx.events.some((e) => e.step === 'strategy:authenticated' && e.message === 'no cookies for loopback: skipped')).toBe(true);
    expect(await filesUnder(fx.root)).toEqual([]);
  });

  it('is asked with the platform, the exact URL and the job signal; the host receives the header; nothing leaks', async () => {
    const asked: CookieRequest[] = [];
    const source = cookiesByPlatform({ loopback: MEDIA_HOST_COOKIE });
    const outcome = await fx.pipeline({ steps: { cookieSource: (request) => (asked.push(request), source(request)) } }).run({ jobId: 'j', postUrl: fx.host.postUrl('cookie', { size: 40_000 }) });
    expect(outcome).toMatchObject({ status: 'completed', via: 'authenticated', bytes: 40_000 });
    expect(asked.map(({ platform, url }) => ({ platform, url }))).toEqual([{ platform: 'loopback', url: `${fx.host.url}/media/private.mp4?size=40000` }]);
    expect(asked[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(fx.host.lastCookie('/media/private.mp4')).toBe(MEDIA_HOST_COOKIE);
    expect([leaks(outcome), leaks(fx.events)]).toEqual([false, false]);
  });

  it('a wrong cookie still gets the login wall: failed, no file, no leak', async () => {
    const outcome = await fx.pipeline({ steps: { cookieSource: cookiesByPlatform({ loopback: `session=${SECRET}-stale` }) } }).run({ jobId: 'j', postUrl: fx.host.postUrl('cookie') });
    expect(outcome).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_INVALID' });
    expect([leaks(outcome), leaks(fx.events)]).toEqual([false, false]);
    expect(await filesUnder(fx.root)).toEqual([]);
  });

  it('a source that rejects (quoting the secret) is skipped and logged by code only', async () => {
    const cookieSource = () => Promise.reject(Object.assign(new Error(`cookie ${MEDIA_HOST_COOKIE} was revoked`), { code: 'ERR_COOKIE_REVOKED' }));
    const outcome = await fx.pipeline({ steps: { cookieSource } }).run({ jobId: 'j', postUrl: fx.host.postUrl('alternative') });
    expect(outcome).toMatchObject({ status: 'completed', via: 'alternative' });
    expect(fx.events.some((e) => e.step === 'strategy:authenticated' && e.message.includes('ERR_COOKIE_REVOKED'))).toBe(true);
    expect(leaks(fx.events)).toBe(false);
  });

  it('keeps the cookie on a same-origin redirect and drops it on a cross-origin one', async () => {
    const cookieSource = cookiesByPlatform({ loopback: MEDIA_HOST_COOKIE });
    const same = await fx.pipeline({ steps: { cookieSource } }).run({ jobId: 'same', postUrl: fx.host.postUrl('redirect', { to: '/media/private.mp4' }) });
    expect(same).toMatchObject({ status: 'completed', via: 'authenticated' });

    const other = await startMediaHost();
    others.push(other);
    const cross = await fx.pipeline({ steps: { cookieSource } }).run({ jobId: 'cross', postUrl: fx.host.postUrl('redirect', { to: `${other.url}/media/private.mp4` }) });
    expect(cross).toMatchObject({ status: 'failed', code: 'ERR_MEDIA_INVALID' });
    expect(fx.host.lastCookie('/media/redirect')).toBe(MEDIA_HOST_COOKIE); // sent to the URL it was asked for
    expect(other.hits('/media/private.mp4')).toBeGreaterThan(0);
    expect(other.lastCookie('/media/private.mp4')).toBe(''); // never to the other origin
  });
});
