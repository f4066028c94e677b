/**
 * The posts the local media host knows. Each is a function of how many times
 * the post page has been read (`gen`, from 1), so a post can answer 403 until
 * re-extraction or offer fresh candidates the second time.
 */

/** A candidate as the post page lists it (paths are relative to the host). */
export interface HostCandidate {
  readonly url: string;
  readonly height?: number;
  readonly width?: number;
}

/** What a post page shows. */
export interface HostPost {
  readonly candidates: readonly HostCandidate[];
  readonly thumbnails?: readonly string[];
  readonly account?: { readonly platform?: string; readonly handle?: string; readonly displayName?: string };
  /** Put the first candidate in `og:video` only (no JSON block). */
  readonly ogOnly?: boolean;
}

/** Read by the post functions: the page's query, the read count, the host's clock. */
export interface PostRequest {
  readonly gen: number;
  readonly query: URLSearchParams;
  readonly nowMs: number;
}

const size = (q: URLSearchParams) => q.get('size') ?? String(64 * 1024);
const ok = (q: URLSearchParams, tag = 'ok') => `/media/ok.mp4?size=${size(q)}&v=${tag}`;

/** Every post, by id. */
export const POSTS: Record<string, (request: PostRequest) => HostPost> = {
  ok: ({ query }) => ({
    candidates: [
      { url: `/media/ok.mp4?size=${size(query)}&v=low`, width: 640, height: 360 },
      { url: ok(query, 'hd'), width: 1280, height: 720 },
    ],
    thumbnails: ['/image/thumb.jpg'],
    account: { platform: 'loopback', handle: query.get('handle') ?? 'alice', displayName: 'Alice' },
  }),
  og: ({ query }) => ({ candidates: [{ url: ok(query) }], thumbnails: ['/image/thumb.jpg'], ogOnly: true }),
  forbidden: ({ gen, query }) => ({
    // the stale URL stays first and best on the fresh page: only "not tried yet" avoids it
    candidates: gen < 2 ? [{ url: '/media/gated.mp4?gen=1', height: 1080 }] : [{ url: '/media/gated.mp4?gen=1', height: 1080 }, { url: `/media/gated.mp4?gen=${gen}&size=${size(query)}`, height: 720 }],
    account: { platform: 'loopback', handle: 'gated' },
  }),
  'always-forbidden': () => ({ candidates: [{ url: '/media/gated.mp4?gen=0' }], account: { platform: 'loopback', handle: 'gated' } }),
  html: () => ({ candidates: [{ url: '/media/html.mp4' }], account: { platform: 'loopback', handle: 'broken' } }),
  'html-as-video': () => ({ candidates: [{ url: '/media/html.mp4?type=video/mp4' }], account: { platform: 'loopback', handle: 'broken' } }),
  tiny: () => ({ candidates: [{ url: '/media/ok.mp4?size=2048' }], account: { platform: 'loopback', handle: 'tiny' } }),
  cookie: ({ query }) => ({ candidates: [{ url: `/media/private.mp4?size=${size(query)}` }], account: { platform: 'loopback', handle: 'private' } }),
  alternative: ({ query }) => ({
    candidates: [{ url: '/media/html.mp4', height: 1080 }, { url: ok(query, 'alt'), height: 480 }],
    account: { platform: 'loopback', handle: 'alt' },
  }),
  reextract: ({ gen, query }) => ({
    candidates: gen < 2 ? [{ url: '/media/html.mp4' }] : [{ url: '/media/html.mp4' }, { url: ok(query, `fresh${gen}`) }],
    account: { platform: 'loopback', handle: 'fresh' },
  }),
  signed: ({ query, nowMs }) => ({
    candidates: [{ url: `/media/signed.mp4?size=${size(query)}&Expires=${Math.floor(nowMs / 1000) + Number(query.get('ttl') ?? 3600)}&sig=s3cr3t` }],
    account: { platform: 'loopback', handle: 'signed' },
  }),
  slow: ({ query }) => ({ candidates: [{ url: `/media/slow.mp4?size=${size(query)}&delay=${query.get('delay') ?? '20'}` }], account: { platform: 'loopback', handle: 'slow' } }),
  truncated: ({ query }) => ({ candidates: [{ url: `/media/truncated.mp4?size=${size(query)}` }], account: { platform: 'loopback', handle: 'cut' } }),
  flaky: ({ query }) => ({
    candidates: [{ url: `/media/flaky.mp4?size=${size(query)}&fail=${query.get('fail') ?? '2'}&key=${query.get('key') ?? 'k'}&status=${query.get('status') ?? '503'}` }],
    account: { platform: 'loopback', handle: 'flaky' },
  }),
  chunked: ({ query }) => ({ candidates: [{ url: `/media/chunked.mp4?size=${size(query)}` }], account: { platform: 'loopback', handle: 'chunked' } }),
  reset: ({ query }) => ({
    candidates: [{ url: `/media/reset.mp4?size=${size(query)}&fail=${query.get('fail') ?? '1'}&key=${query.get('key') ?? 'k'}` }],
    account: { platform: 'loopback', handle: 'reset' },
  }),
  missing: () => ({ candidates: [{ url: '/media/missing.mp4' }], account: { platform: 'loopback', handle: 'gone' } }),
  redirect: ({ query }) => ({ candidates: [{ url: `/media/redirect?to=${encodeURIComponent(query.get('to') ?? '/media/ok.mp4?size=65536')}` }], account: { platform: 'loopback', handle: 'moved' } }),
  unsafe: ({ query }) => ({ candidates: [{ url: query.get('to') ?? 'file:///etc/passwd' }], account: { platform: 'loopback', handle: 'unsafe' } }),
  empty: () => ({ candidates: [], account: { platform: 'loopback', handle: 'empty' } }),
  'bad-thumbnail': ({ query }) => ({ candidates: [{ url: ok(query) }], thumbnails: ['/media/html.mp4', '/image/thumb.jpg'], account: { platform: 'loopback', handle: 'thumbs' } }),
  hostile: ({ query }) => ({
    candidates: [{ url: ok(query) }],
    thumbnails: ['/image/thumb.jpg'],
    account: { platform: query.get('platform') ?? 'loopback', handle: query.get('handle') ?? '..', displayName: 'x' },
  }),
};
