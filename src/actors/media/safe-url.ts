/**
 * Only `http:` and `https:` URLs anywhere in the pipeline: given, extracted,
 * and every redirect hop, which is why fetches go through {@link fetchHttp}
 * with redirects followed by hand.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
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
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * GET with every redirect hop checked by {@link assertHttpUrl} (and the
 * `Cookie` / `Authorization` headers dropped once a hop leaves the origin
 * they were given for); a transport
 * failure becomes a retryable `ERR_MEDIA_TRANSPORT`, a non-2xx answer an
 * HTTP error by its status class (`ERR_MEDIA_HTTP_SERVER`, retryable, for 5xx;
 * `ERR_MEDIA_HTTP_FORBIDDEN`, `ERR_MEDIA_HTTP_NOT_FOUND`, `ERR_MEDIA_HTTP_CLIENT`
 * for 4xx), with the body discarded.
 * Built on `node:http` rather than `fetch`: the body is a Node stream that
 * goes to the file without a web-stream bridge, which is a third of a
 * download's cost at 1 MB.
 *
 * @example
 * ```ts
 * import { createWriteStream } from 'node:fs';
 * const file = createWriteStream('/tmp/page.html');
 * const response = await fetchHttp(url, { signal, headers: { cookie: 'sid=abc' } });
 * for await (const chunk of response) file.write(chunk);
 * ```
 */
export async function fetchHttp(url: string, options: FetchHttpOptions = {}): Promise<IncomingMessage> {
  let current = assertHttpUrl(url);
  let hopOptions = options;
  for (let hop = 0; ; hop++) {
    const response = await get(current, hopOptions);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location !== undefined) {
      response.resume();
      if (hop >= MAX_REDIRECTS) throw new TransportError(`GET ${redactUrl(url)}: more than ${MAX_REDIRECTS} redirects`);
      const next = assertHttpUrl(location, current.href);
      // credentials are for the origin they were given for, as browsers and fetch do
      if (next.origin !== current.origin) hopOptions = withoutCredentials(hopOptions);
      current = next;
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw httpStatusError(status, current.href);
    }
    return response;
  }
}

const CREDENTIAL_HEADERS = new Set(['cookie', 'authorization', 'proxy-authorization']);

function withoutCredentials(options: FetchHttpOptions): FetchHttpOptions {
  if (options.headers === undefined) return options;
  const headers = Object.fromEntries(Object.entries(options.headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())));
  return { ...options, headers };
}

function get(url: URL, { signal, headers }: FetchHttpOptions): Promise<IncomingMessage> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsGet : httpGet)(url, { ...(headers ? { headers } : {}), ...(signal ? { signal } : {}) }, resolve);
    request.on('error', (cause) => {
      if (signal?.aborted) reject(abortReason(signal));
      else reject(new TransportError(`GET ${redactUrl(url.href)} failed: ${cause.message}`, { cause, retryable: true }));
    });
  });
}

/** The error an aborted signal stands for: its reason when that is a media error, else a cancel. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && 'retryable' in reason) return reason;
  return new MediaCancelledError('cancelled', { cause: reason });
}
