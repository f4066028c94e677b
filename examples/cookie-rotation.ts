/**
 * Cookie rotation with steward/cookies, against the local provider service:
 * two services side by side, one cookie actor per cookie, rotate tasks on a
 * `rotate` thread pool, every outcome stored as report + cookie + monitor in
 * one commit. Run it after `npm run build`: `node dist/examples/cookie-rotation.js`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorSystem } from '../src/index.js';
import { LowdbStore, Persistence } from '../src/persistence/index.js';
import { PiscinaPool } from '../src/pools/index.js';
import { CookieProviders, createCookieActors, launchCookies } from '../src/actors/cookies/index.js';
import { CookieProviderService } from './cookie-provider/service.js';

const service = await CookieProviderService.start();
const dir = process.env.STEWARD_DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'steward-cookies-')));

// Providers by service name: one call each.
const providers = new CookieProviders();
providers.register({ service: 'shop', validateUrl: `${service.url}/validate`, rotateUrl: `${service.url}/rotate`, cookieKeys: ['sid'], rotateEveryMs: 3_600_000, jitterMs: 60_000 });
providers.register({ service: 'forum', validateUrl: `${service.url}/validate`, rotateUrl: `${service.url}/rotate`, cookieKeys: ['token', 'csrf'], rotateEveryMs: 86_400_000 });

const { Cookie } = createCookieActors({ providers }); // seals values at rest when STEWARD_SECRET_KEY is set
const persistence = new Persistence(await LowdbStore.open({ dir }));
const system = new ActorSystem({ persistence, pools: { rotate: new PiscinaPool({ name: 'rotate', maxThreads: 2 }) }, reminders: { actors: [Cookie] } });
await launchCookies(system, persistence, Cookie); // launchOnStartup cookies from an earlier run

const shop = system.ref(Cookie, 'shop-ann');
await shop.ask('register', { service: 'shop', value: service.issue('ann'), profileId: 'ann', launchOnStartup: true });
const forum = system.ref(Cookie, 'forum-bob');
await forum.ask('register', { service: 'forum', value: service.issue('bob', ['token', 'csrf']) });

// A second request while the first runs joins it: one rotation, two callers.
const [first, second] = await Promise.all([shop.ask('rotate', {}), shop.ask('rotate', {})]);
const summary = await first.settled;
console.log(`shop-ann attempt ${summary.attemptNumber}: ${summary.status}, joined: ${second.joined}, keys ${summary.keys.map((k) => `${k.key}#${k.hash}`).join(' ')}`);
const { status } = await (await forum.ask('rotate', {})).settled;
console.log(`forum-bob: ${status}; monitor ${(await forum.ask('status', {})).monitor.workerStatus}`);

await system.shutdown();
await service.close();
if (!process.env.STEWARD_DATA_DIR) await rm(dir, { recursive: true, force: true });
