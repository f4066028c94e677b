/**
 * The local media host: real HTTP on 127.0.0.1 (port 0), for tests, the
 * benchmark and the demo. Post pages carry `og:video` tags and a JSON block
 * of candidates; media URLs misbehave the ways real CDNs do (see `posts.ts`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { htmlPage, jpegBytes, mp4Bytes } from './media-bytes.js';
import { POSTS, type HostPost } from './posts.js';

/** The cookie `/media/private.mp4` wants. */
export const MEDIA_HOST_COOKIE = 'session=letmein';

/** Options of {@link startMediaHost}. */
export interface MediaHostOptions {
  /** The host's clock, for signed URLs. */
  readonly now?: () => number;
  /** The loopback port to listen on; if it is taken (or not given), a free one. The demo reuses last run's, so jobs it left queued find their posts. */
  readonly port?: number;
}

/** A running media host. */
export interface MediaHost {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The URL of a post page, with optional query parameters. */
  postUrl(id: string, query?: Record<string, string | number>): string;
  /** How many requests a path (without query) has had. */
  hits(pathname: string): number;
  /** The `Cookie` header of the last request to a path, `''` when it had none. */
  lastCookie(pathname: string): string | undefined;
  close(): Promise<void>;
}

/**
 * Starts a media host on a free loopback port.
 *
 * @example
 * ```ts
 * const host = await startMediaHost();
 * const outcome = await pipeline.run({ jobId: 'j1', postUrl: host.postUrl('ok') });
 * await host.close();
 * ```
 */
export async function startMediaHost(options: MediaHostOptions = {}): Promise<MediaHost> {
  const now = options.now ?? (() => Date.now());
  const hits = new Map<string, number>();
  const cookies = new Map<string, string>();
  const counters = new Map<string, number>();
  const bump = (key: string) => {
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return n;
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    cookies.set(url.pathname, req.headers.cookie ?? '');
    try {
      route(req, res, url, { now, bump });
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
  server.keepAliveTimeout = 5_000;
  await listen(server, options.port ?? 0).catch(() => listen(server, 0));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    postUrl: (id, query = {}) => {
      const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
      return `${base}/post/${encodeURIComponent(id)}${search ? `?${search}` : ''}`;
    },
    hits: (pathname) => hits.get(pathname) ?? 0,
    lastCookie: (pathname) => cookies.get(pathname),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

interface RouteContext {
  readonly now: () => number;
  bump(key: string): number;
}

function route(req: IncomingMessage, res: ServerResponse, url: URL, context: RouteContext): void {
  const q = url.searchParams;
  const size = Number(q.get('size') ?? 64 * 1024);
  const sendMp4 = () => {
    const bytes = mp4Bytes(size);
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length }).end(bytes);
  };
  const post = /^\/post\/([^/]+)$/.exec(url.pathname);
  if (post) {
    const id = decodeURIComponent(post[1]!);
    if (id === 'slow-page') {
      const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'), Number(q.get('delay') ?? 1000));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    const make = POSTS[id];
    if (!make) return void res.writeHead(404, { 'content-type': 'text/html' }).end(htmlPage('not found', 100));
    const gen = context.bump(`post:${id}?${q.toString()}`);
    const page = postPage(make({ gen, query: q, nowMs: context.now() }));
    return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) }).end(page);
  }
  switch (url.pathname) {
    case '/media/ok.mp4':
      return sendMp4();
    case '/media/gated.mp4':
      return Number(q.get('gen')) >= 2 ? sendMp4() : void res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: stale token');
    case '/media/html.mp4': {
      const page = htmlPage('Service unavailable');
      return void res.writeHead(200, { 'content-type': q.get('type') ?? 'text/html', 'content-length': page.length }).end(page);
    }
    case '/media/private.mp4':
      if ((req.headers.cookie ?? '').split(/;\s*/).includes(MEDIA_HOST_COOKIE)) return sendMp4();
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(htmlPage('Log in to watch'));
    case '/media/signed.mp4':
      if (Number(q.get('Expires')) * 1000 <= context.now()) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('signature expired');
      return sendMp4();
    case '/media/slow.mp4':
      return slowBody(res, mp4Bytes(size), Number(q.get('delay') ?? 20));
    case '/media/truncated.mp4': {
      const bytes = mp4Bytes(size);
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length });
      res.write(bytes.subarray(0, bytes.length >> 1), () => res.destroy());
      return;
    }
    case '/media/flaky.mp4':
      if (context.bump(`flaky:${q.get('key')}`) <= Number(q.get('fail') ?? 2)) return void res.writeHead(Number(q.get('status') ?? 503), { 'content-type': 'text/plain' }).end('try later');
      return sendMp4();
    case '/media/chunked.mp4':
      // no Content-Length: only counting the bytes can enforce a size cap
      res.writeHead(200, { 'content-type': 'video/mp4' });
      return void res.end(mp4Bytes(size));
    case '/media/reset.mp4':
      // the connection dies before any answer: a transport error
      if (context.bump(`reset:${q.get('key')}`) <= Number(q.get('fail') ?? 1)) return void req.socket.destroy();
      return sendMp4();
    case '/media/redirect':
      return void res.writeHead(302, { location: q.get('to') ?? '/' }).end();
    case '/image/thumb.jpg': {
      const bytes = jpegBytes();
      return void res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': bytes.length }).end(bytes);
    }
    default:
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}

/** 16 KiB every `delay` ms, so a test can cancel or time out mid-body. */
function slowBody(res: ServerResponse, bytes: Buffer, delay: number): void {
  res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length });
  let offset = 0;
  const timer = setInterval(() => {
    res.write(bytes.subarray(offset, offset + 16 * 1024));
    offset += 16 * 1024;
    if (offset >= bytes.length) {
      clearInterval(timer);
      res.end();
    }
  }, delay);
  res.on('close', () => clearInterval(timer));
}

function postPage(post: HostPost): string {
  const first = post.candidates[0]?.url;
  const json = JSON.stringify({ candidates: post.candidates, thumbnails: post.thumbnails ?? [], account: post.account ?? {} }).replace(/</g, '\\u003c');
  const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return [
    '<!doctype html><html><head>',
    '<meta property="og:site_name" content="loopback">',
    `<meta property="og:title" content="${attr(post.account?.displayName ?? 'a post')}">`,
    first ? `<meta property="og:video" content="${attr(first)}">` : '',
    ...(post.thumbnails ?? []).slice(0, 1).map((t) => `<meta property="og:image" content="${attr(t)}">`),
    post.ogOnly ? '' : `<script type="application/json" id="media">${json}</script>`,
    '</head><body>a post</body></html>',
  ].join('\n');
}
