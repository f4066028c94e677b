/**
 * Only `http:` and `https:` URLs anywhere in the pipeline: given, extracted,
 * and every redirect hop, which is why fetches go through {@link fetchHttp}
 * with redirects followed by hand.
 */
import { MediaCancelledError, TransportError, UnsafeUrlError, httpStatusError, redactUrl } from './errors.js';

const MAX_REDIRECTS = 5;

/**
 * Parses `url` (relative to `base`) and refuses anything but http(s).
 *
 * @example
 * ```ts
 * assertHttpUrl('https://cdn.example/v.mp4'); // URL
 * assertHttpUrl('file:///etc/passwd');        // throws ERR_MEDIA_UNSAFE_URL
 * ```
 */
export function assertHttpUrl(url: string, base?: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch (cause) {
    throw new UnsafeUrlError(`not a URL: ${JSON.stringify(url.slice(0, 200))}`, { cause });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UnsafeUrlError(`only http: and https: URLs are fetched, not ${parsed.protocol} (${redactUrl(parsed.href)})`);
  }
  return parsed;
}

/** Options of {@link fetchHttp}. */
export interface FetchHttpOptions {
  readonly signal?: AbortSignal;
  readonly headers?: Record<string, string>;
}

/**
 * GET with every redirect hop checked by {@link assertHttpUrl}; a transport
 * failure becomes a retryable `ERR_MEDIA_TRANSPORT`, a non-2xx answer an
 * `ERR_MEDIA_HTTP_STATUS` (retryable when 5xx), with the body discarded.
 *
 * @example
 * ```ts
 * const response = await fetchHttp(url, { signal, headers: { cookie } });
 * ```
 */
export async function fetchHttp(url: string, options: FetchHttpOptions = {}): Promise<Response> {
  let current = assertHttpUrl(url);
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await fetch(current, { redirect: 'manual', ...(options.signal ? { signal: options.signal } : {}), ...(options.headers ? { headers: options.headers } : {}) });
    } catch (cause) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      throw new TransportError(`GET ${redactUrl(current.href)} failed: ${(cause as Error).message}`, { cause, retryable: true });
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new TransportError(`GET ${redactUrl(url)}: more than ${MAX_REDIRECTS} redirects`);
      current = assertHttpUrl(location, current.href);
      continue;
    }
    if (response.status < 200 || response.status >= 300) {
      await response.body?.cancel();
      throw httpStatusError(response.status, current.href);
    }
    return response;
  }
}

/** The error an aborted signal stands for: its reason when that is a media error, else a cancel. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && 'retryable' in reason) return reason;
  return new MediaCancelledError('cancelled', { cause: reason });
}
