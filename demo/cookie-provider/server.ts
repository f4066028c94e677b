/**
 * A local cookie provider service, for the demo, the tests and the
 * benchmark: real HTTP on 127.0.0.1. It issues rotating session cookies,
 * accepts the previous value for a grace window, rejects stale ones, and can
 * be made slow, unreachable (connections reset) or invalid (answers without
 * new cookies). Demo code: not part of the package.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the service answers right now. */
export type ProviderMode = 'ok' | 'slow' | 'unreachable' | 'invalid' | 'failing';

/** Options of {@link startCookieProvider}. */
export interface CookieProviderOptions {
  /** How long a rotated-away value is still accepted. Default 60,000 ms. */
  readonly graceMs?: number;
  /** Extra delay per request in `slow` mode. Default 500 ms. */
  readonly slowMs?: number;
  /** The cookie key it rotates. Default `sid`. */
  readonly key?: string;
}

interface Session {
  current: string;
  previous: string | undefined;
  previousUntil: number;
  rotations: number;
}

/** A running provider. */
export interface CookieProviderServer {
  readonly url: string;
  /** Starts a session and returns its cookie string (`sid=…`). */
  issue(): string;
  /** Whether `cookie` is the session's current value (or its previous one within the grace window). */
  accepts(cookie: string): boolean;
  /** Whether `cookie` is its session's newest value. */
  isCurrent(cookie: string): boolean;
  /** Registers an existing value as a session's current one (a cookie the user logged in with elsewhere). */
  adopt(cookie: string): void;
  /**
   * Holds the response to the next rotation after the service has rotated:
   * `reached` resolves once it is held, `release` lets it go. Lets a test kill
   * the rotator between "the service rotated" and "the rotator heard".
   */
  holdNextRotation(): { readonly reached: Promise<void>; release(): void };
  /** Every value the service ever issued or adopted (to search outputs for them). */
  readonly issued: readonly string[];
  setMode(mode: ProviderMode): void;
  readonly stats: { rotations: number; fromPrevious: number; rejected: number; validations: number; refused: number };
  close(): Promise<void>;
}

/**
 * Starts the provider on 127.0.0.1 (port 0 unless given).
 *
 * @example
 * ```ts
 * const provider = await startCookieProvider({ graceMs: 30_000 });
 * const cookie = provider.issue(); // 'sid=…'
 * // POST ${provider.url}/rotate with that cookie → Set-Cookie: sid=<new>; GET ${provider.url}/validate → 200
 * provider.setMode('unreachable');
 * await provider.close();
 * ```
 */
export async function startCookieProvider(options: CookieProviderOptions = {}, port = 0): Promise<CookieProviderServer> {
  const graceMs = options.graceMs ?? 60_000;
  const slowMs = options.slowMs ?? 500;
  const key = options.key ?? 'sid';
  const byValue = new Map<string, Session>();
  const stats = { rotations: 0, fromPrevious: 0, rejected: 0, validations: 0, refused: 0 };
  let mode: ProviderMode = 'ok';
  const issued: string[] = [];
  let held: { reached: () => void; released: Promise<void> } | undefined;

  const fresh = () => {
    const value = randomBytes(18).toString('base64url');
    issued.push(value);
    return value;
  };
  const valueIn = (cookie: string | undefined) => {
    for (const part of (cookie ?? '').split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === key) return rest.join('=');
    }
    return undefined;
  };
  const sessionOf = (value: string | undefined) => {
    const session = value === undefined ? undefined : byValue.get(value);
    if (!session || value === undefined) return undefined;
    if (value === session.current) return session;
    return value === session.previous && Date.now() <= session.previousUntil ? session : undefined;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (mode === 'unreachable') {
      stats.refused++;
      request.socket.destroy();
      return;
    }
    if (mode === 'slow') await new Promise((resolve) => setTimeout(resolve, slowMs));
    if (mode === 'failing') return void response.writeHead(503).end('unavailable');
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const value = valueIn(request.headers.cookie);
    const session = sessionOf(value);
    if (path === '/validate' && request.method === 'GET') {
      stats.validations++;
      return void response.writeHead(session ? 200 : 401).end(session ? 'valid' : 'invalid');
    }
    if (path === '/rotate' && request.method === 'POST') {
      if (!session || value === undefined) {
        stats.rejected++;
        return void response.writeHead(401).end('stale or unknown cookie');
      }
      if (mode === 'invalid') return void response.writeHead(200).end('ok'); // no Set-Cookie: a broken provider
      stats.rotations++;
      if (value !== session.current) stats.fromPrevious++;
      // The value presented, current or previous, is what the grace window covers from now on.
      if (session.previous !== undefined && session.previous !== value) byValue.delete(session.previous);
      session.previous = value === session.current ? session.current : value;
      if (value !== session.current) byValue.delete(session.current);
      session.previousUntil = Date.now() + graceMs;
      session.current = fresh();
      session.rotations++;
      byValue.set(session.current, session);
      const hold = held;
      held = undefined;
      if (hold) {
        hold.reached();
        await hold.released;
      }
      return void response.writeHead(200, { 'set-cookie': `${key}=${session.current}; Path=/; HttpOnly; SameSite=Strict` }).end('rotated');
    }
    response.writeHead(404).end('not found');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    issue: () => {
      const current = fresh();
      byValue.set(current, { current, previous: undefined, previousUntil: 0, rotations: 0 });
      return `${key}=${current}`;
    },
    accepts: (cookie) => sessionOf(valueIn(cookie)) !== undefined,
    isCurrent: (cookie) => {
      const value = valueIn(cookie);
      return value !== undefined && byValue.get(value)?.current === value;
    },
    adopt: (cookie) => {
      const value = valueIn(cookie);
      if (value === undefined) throw new Error(`no ${key} in the cookie to adopt`);
      issued.push(value);
      byValue.set(value, { current: value, previous: undefined, previousUntil: 0, rotations: 0 });
    },
    holdNextRotation: () => {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      held = { reached, released: new Promise<void>((resolve) => (release = resolve)) };
      return { reached: reachedPromise, release };
    },
    issued,
    setMode: (next) => void (mode = next),
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
