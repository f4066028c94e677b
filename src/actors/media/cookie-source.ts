/**
 * Where the authenticated download gets its cookies: a port, so the cookie
 * domain (`steward/cookies`, one actor per cookie under rotation) can answer
 * it later without the media domain importing it (domains never import each
 * other; the application wires one into the other).
 *
 * The contract, all of it:
 * - Asked with the platform (as the extractor named it, e.g. `instagram`),
 *   the exact URL about to be fetched, and the job's signal.
 * - Answers the value of a `Cookie` request header (`a=1; b=2`) for that URL,
 *   or `undefined` when it has none: the authenticated strategy is then
 *   skipped and the next one runs.
 * - May be slow (an actor ask): it is awaited, and should give up when the
 *   signal aborts. A rejection skips the strategy like `undefined` does; the
 *   event says the source failed, with its error's `code` only.
 * - The header is a secret: the pipeline sends it to that URL only (not
 *   to redirect targets on another origin), and never puts it in an event,
 *   an error or an outcome.
 */

/** What a cookie source is asked. */
export interface CookieRequest {
  readonly platform: string;
  readonly url: string;
  readonly signal: AbortSignal;
}

/**
 * Gives the `Cookie` header for a platform's URL, or `undefined`. Injectable
 * as the pipeline's `steps.cookieSource`.
 *
 * @example
 * ```ts
 * declare const vault: { cookieHeader(platform: string, signal: AbortSignal): Promise<string | undefined> };
 * const cookieSource: CookieSource = async ({ platform, signal }) => vault.cookieHeader(platform, signal);
 * ```
 */
export type CookieSource = (request: CookieRequest) => Promise<string | undefined> | string | undefined;

/** The default: no cookies, so the authenticated strategy is skipped. */
export const NO_COOKIES: CookieSource = () => undefined;

/**
 * A fixed cookie header per platform, for tests, demos and a single account.
 *
 * @example
 * ```ts
 * createMediaPipeline({ downloadsDir: '/var/lib/app/media', steps: { cookieSource: cookiesByPlatform({ loopback: 'session=letmein' }) } });
 * ```
 */
export function cookiesByPlatform(headers: Readonly<Record<string, string>>): CookieSource {
  const byPlatform = new Map(Object.entries(headers));
  return ({ platform }) => byPlatform.get(platform);
}
