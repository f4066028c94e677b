/** System start: every cookie registered with `launchOnStartup` is activated, and so scheduled. */
import type { ActorSystem, PersistencePort } from '../../runtime/index.js';
import { COOKIES, type CookieDefinition } from './cookie-actor.js';
import type { CookieState } from './messages.js';

/**
 * Activates every `launchOnStartup` cookie in the store, a page at a time;
 * activation arms each one's rotation schedule (and recovers an attempt a
 * crash interrupted). Returns how many were started.
 *
 * @example
 * ```ts
 * const started = await launchCookiesOnStartup(system, persistence, Cookie);
 * ```
 */
export async function launchCookiesOnStartup(system: ActorSystem, persistence: PersistencePort, Cookie: CookieDefinition, pageSize = 500): Promise<number> {
  let started = 0;
  for (let after: string | undefined; ; ) {
    const page = await persistence.query<CookieState>(COOKIES, { limit: pageSize, ...(after === undefined ? {} : { after }) });
    const launching = page.filter((record) => record.value.launchOnStartup);
    await Promise.all(launching.map((record) => system.ref(Cookie, record.key).ask('status', {})));
    started += launching.length;
    if (page.length < pageSize) return started;
    after = page[page.length - 1]?.key;
  }
}
