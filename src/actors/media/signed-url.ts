/**
 * When a signed media URL stops working, read from the URL itself, so a URL
 * extracted earlier is reused only while it will still work (gallery-dl does
 * the same with Instagram's `oe`). Known forms: Meta CDN `oe` (hex seconds),
 * Discord `ex` (hex seconds), CloudFront / generic `Expires`, `expires`,
 * `exp`, `x-expires` (decimal seconds), and S3 / GCS `X-Amz-Date` +
 * `X-Amz-Expires` / `X-Goog-Date` + `X-Goog-Expires`.
 */

/** How long before its expiry a signed URL is no longer reused: a download must fit in it. */
export const DEFAULT_EXPIRY_MARGIN_MS = 60_000;

const HEX_PARAMS = ['oe', 'ex'] as const;
const DECIMAL_PARAMS = ['Expires', 'expires', 'exp', 'x-expires'] as const;

/**
 * The expiry of a signed URL in epoch milliseconds, or `undefined` when the
 * URL carries none (an unsigned URL does not expire).
 *
 * @example
 * ```ts
 * signedUrlExpiry('https://cdn.example/v.mp4?oe=6553F100'); // 1700000000000
 * ```
 */
export function signedUrlExpiry(url: string): number | undefined {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    return undefined;
  }
  for (const name of HEX_PARAMS) {
    const value = params.get(name);
    if (value !== null && /^[0-9a-f]{1,12}$/i.test(value)) return Number.parseInt(value, 16) * 1000;
  }
  for (const name of DECIMAL_PARAMS) {
    const value = params.get(name);
    if (value !== null && /^\d{1,13}$/.test(value)) return Number(value) * 1000;
  }
  for (const vendor of ['Amz', 'Goog']) {
    const date = params.get(`X-${vendor}-Date`);
    const expires = params.get(`X-${vendor}-Expires`);
    const start = date === null ? undefined : parseCompactIsoDate(date);
    if (start !== undefined && expires !== null && /^\d+$/.test(expires)) return start + Number(expires) * 1000;
  }
  return undefined;
}

/** `20240102T030405Z`, as AWS and GCS sign. */
function parseCompactIsoDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/**
 * Whether a previously extracted URL may be reused at `nowMs`: it carries no
 * expiry, or its expiry is more than `marginMs` away.
 *
 * @example
 * ```ts
 * declare function extract(postUrl: string): Promise<{ url: string }>;
 * const postUrl = 'https://video.example/p/1';
 * let cached = await extract(postUrl);
 * if (!isReusable(cached.url, Date.now())) cached = await extract(postUrl);
 * ```
 */
export function isReusable(url: string, nowMs: number, marginMs = DEFAULT_EXPIRY_MARGIN_MS): boolean {
  const expiry = signedUrlExpiry(url);
  return expiry === undefined || expiry - marginMs > nowMs;
}
