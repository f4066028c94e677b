/**
 * Step 1: find a post's media. The default extractor fetches the post page
 * and reads its `og:video` (and `og:video:url`, `og:video:secure_url`) and
 * `og:image` tags and any `<script type="application/json">` block shaped
 * like an {@link Extraction}; an extractor for a real platform replaces it.
 */
import { z } from 'zod';
import { ExtractFailedError, redactUrl } from './errors.js';
import { AccountSchema, MediaCandidateSchema, type Extraction, type MediaCandidate } from './messages.js';
import { abortReason, assertHttpUrl, fetchHttp } from './safe-url.js';
import { timedSignal } from './timeout.js';

/** The default extract timeout: 180 s. */
export const DEFAULT_EXTRACT_TIMEOUT_MS = 180_000;
/** Post pages larger than this are refused: a page is not a video. */
const MAX_PAGE_BYTES = 2 * 1024 * 1024;

/** What an extractor is given. */
export interface ExtractContext {
  readonly signal: AbortSignal;
  /** A `Cookie` header for the post's platform, when the cookie source has one. */
  readonly cookie?: string;
}

/**
 * Finds the media of a post. Injectable: pass your own in the pipeline's `steps`.
 *
 * @example
 * ```ts
 * declare function apiLookup(postUrl: string, signal: AbortSignal): Promise<string>; // the platform's API
 * const account: Account = { platform: 'Vimeo', handle: 'ann', displayName: 'Ann' };
 * const extract: Extractor = async (postUrl, { signal }) => ({ candidates: [{ url: await apiLookup(postUrl, signal) }], account, thumbnails: [] });
 * ```
 */
export type Extractor = (postUrl: string, context: ExtractContext) => Promise<Extraction>;

const JsonBlockSchema = z.object({
  candidates: z.array(MediaCandidateSchema).optional(),
  account: AccountSchema.partial().optional(),
  thumbnails: z.array(z.string()).optional(),
});

/**
 * The default extractor: reads `og:video` / JSON candidates from the post page.
 *
 * @example
 * ```ts
 * const { candidates, account } = await httpExtractor('https://host/p/1', { signal: AbortSignal.timeout(180_000) });
 * ```
 */
export const httpExtractor: Extractor = async (postUrl, { signal, cookie }) => {
  const page = assertHttpUrl(postUrl);
  const response = await fetchHttp(page.href, { signal, ...(cookie ? { headers: { cookie } } : {}) });
  const html = await readCapped(response, MAX_PAGE_BYTES, page.href);
  return parsePostPage(html, page);
};

/**
 * Parses a post page into an {@link Extraction}; relative URLs resolve against the page.
 *
 * @example
 * ```ts
 * parsePostPage('<meta property="og:video" content="/v.mp4">', new URL('https://host/p/1')).candidates; // [{ url: 'https://host/v.mp4' }]
 * ```
 */
export function parsePostPage(html: string, page: URL): Extraction {
  const meta = metaTags(html);
  const candidates: MediaCandidate[] = [];
  const thumbnails: string[] = [];
  let account: { platform?: string | undefined; handle?: string | undefined; displayName?: string | undefined } = {};
  for (const block of jsonBlocks(html)) {
    const parsed = JsonBlockSchema.safeParse(block);
    if (!parsed.success) continue;
    candidates.push(...(parsed.data.candidates ?? []));
    thumbnails.push(...(parsed.data.thumbnails ?? []));
    account = { ...parsed.data.account, ...account };
  }
  for (const key of ['og:video:secure_url', 'og:video:url', 'og:video']) {
    for (const url of meta.get(key) ?? []) candidates.push({ url, ...(meta.get('og:video:type')?.[0] ? { contentType: meta.get('og:video:type')![0]! } : {}) });
  }
  thumbnails.push(...(meta.get('og:image') ?? []));
  const resolve = (url: string) => {
    try {
      return new URL(url, page).href;
    } catch {
      return url; // kept as is: the download step refuses it with a clear error
    }
  };
  const seen = new Set<string>();
  const unique = candidates.map((c) => ({ ...c, url: resolve(c.url) })).filter((c) => !seen.has(c.url) && seen.add(c.url));
  const handle = account.handle ?? meta.get('profile:username')?.[0] ?? page.pathname.split('/').filter(Boolean)[0] ?? 'unknown';
  return {
    candidates: unique,
    thumbnails: [...new Set(thumbnails.map(resolve))],
    account: {
      platform: account.platform ?? meta.get('og:site_name')?.[0] ?? page.hostname,
      handle,
      displayName: account.displayName ?? meta.get('og:title')?.[0] ?? handle,
    },
  };
}

/**
 * Runs an extractor under a timeout and insists on at least one candidate.
 * @internal
 */
export async function extractWithTimeout(extractor: Extractor, postUrl: string, context: ExtractContext & { readonly timeoutMs: number }): Promise<Extraction> {
  const timed = timedSignal(context.signal, context.timeoutMs, `extract of ${redactUrl(postUrl)}`);
  try {
    const extraction = await extractor(postUrl, { signal: timed.signal, ...(context.cookie ? { cookie: context.cookie } : {}) });
    if (extraction.candidates.length === 0) throw new ExtractFailedError(`no media candidates on ${redactUrl(postUrl)}`);
    return extraction;
  } catch (error) {
    if (timed.signal.aborted) throw abortReason(timed.signal);
    throw error;
  } finally {
    timed.dispose();
  }
}

/**
 * The best candidate not tried yet: the largest frame, then the highest bitrate, then page order.
 *
 * @example
 * ```ts
 * declare const extraction: Extraction;
 * const tried = new Set<string>(); // the URLs already attempted
 * const next = pickCandidate(extraction.candidates, tried); // undefined when all were tried
 * ```
 */
export function pickCandidate(candidates: readonly MediaCandidate[], tried: ReadonlySet<string>): MediaCandidate | undefined {
  const score = (c: MediaCandidate) => (c.width ?? 0) * (c.height ?? 0) * 1e6 + (c.bitrate ?? 0);
  let best: MediaCandidate | undefined;
  for (const candidate of candidates) {
    if (tried.has(candidate.url)) continue;
    if (best === undefined || score(candidate) > score(best)) best = candidate;
  }
  return best;
}

function metaTags(html: string): Map<string, string[]> {
  const tags = new Map<string, string[]>();
  for (const [tag] of html.matchAll(/<meta\b[^>]*>/gi)) {
    const key = attribute(tag, 'property') ?? attribute(tag, 'name');
    const content = attribute(tag, 'content');
    if (key === undefined || content === undefined) continue;
    const list = tags.get(key.toLowerCase()) ?? [];
    list.push(content);
    tags.set(key.toLowerCase(), list);
  }
  return tags;
}

function attribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  const raw = m?.[2] ?? m?.[3];
  return raw === undefined ? undefined : decodeEntities(raw);
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '');
}

function* jsonBlocks(html: string): Generator<unknown> {
  for (const m of html.matchAll(/<script\b[^>]*type\s*=\s*["']application\/(?:ld\+)?json["'][^>]*>([\s\S]*?)<\/script>/gi)) {
    try {
      yield JSON.parse(m[1] ?? '');
    } catch {
      // not JSON: a page may carry other scripts of that type
    }
  }
}

async function readCapped(response: AsyncIterable<Buffer> & { destroy(): void }, maxBytes: number, url: string): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      response.destroy();
      throw new ExtractFailedError(`post page ${redactUrl(url)} is over ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
