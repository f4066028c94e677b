/**
 * `launchOnStartup`: when a system starts, every cookie registered with it
 * is started (its schedule re-armed with its provider's current interval,
 * keeping the next due time) and activated, so an attempt a crash
 * interrupted is recovered now rather than at the next firing.
 */
import type { ActorSystem, StateReader } from '../../index.js';
import type { CookieDefinition } from './cookie-actor.js';
import { COOKIES } from './rotation-state.js';
import type { CookieState } from './schemas.js';

/**
 * What {@link launchCookies} did: cookies started, and those that refused (each by code).
 *
 * @example
 * ```ts
 * declare const Cookie: CookieDefinition;
 * const { started, failed } = await launchCookies(system, persistence, Cookie);
 * for (const { cookieId, code } of failed) log.warn(`cookie ${cookieId} did not start: ${code}`);
 * ```
 */
export interface LaunchReport {
  readonly started: number;
  readonly failed: readonly { readonly cookieId: string; readonly code: string }[];
}

const PAGE = 256;

/**
 * Starts every cookie registered with `launchOnStartup`, a page at a time.
 * A cookie whose provider is missing starts in the `error` status, its
 * monitor saying why.
 *
 * @example
 * ```ts
 * const { Cookie } = createCookieActors({ providers: new CookieProviders() });
 * const rotate = new PiscinaPool({ name: ROTATE_POOL, maxThreads: 2 });
 * const system = new ActorSystem({ persistence, pools: { [ROTATE_POOL]: rotate }, reminders: { actors: [Cookie] } });
 * await launchCookies(system, persistence, Cookie);
 * ```
 */
export async function launchCookies(system: ActorSystem, store: StateReader, Cookie: CookieDefinition): Promise<LaunchReport> {
  let started = 0;
  const failed: { cookieId: string; code: string }[] = [];
  for (let after: string | undefined; ; ) {
    const page = await store.query<CookieState>(COOKIES, { limit: PAGE, ...(after === undefined ? {} : { after }) });
    const launching = page.filter((record) => record.value.launchOnStartup);
    const outcomes = await Promise.allSettled(launching.map((record) => system.ref(Cookie, record.key).ask('start', {})));
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') started++;
      else failed.push({ cookieId: launching[i]?.key ?? '', code: (outcome.reason as { code?: string }).code ?? 'ERR_UNKNOWN' });
    });
    if (page.length < PAGE) break;
    after = page[page.length - 1]?.key;
  }
  return { started, failed };
}
