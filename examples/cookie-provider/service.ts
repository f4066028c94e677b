/**
 * A local cookie provider service on 127.0.0.1, for the cookie-rotation
 * example, tests and benchmark (not shipped in the package). It issues
 * rotating session cookies per account, accepts the previous value for a
 * grace window after each rotation (so an owner that crashed before storing
 * the new value can recover), refuses stale ones, and can be made slow,
 * unreachable, invalid or flaky. In `slow` mode it answers late, after it
 * has rotated.
 *
 * Routes: `POST /rotate` (current cookie in `Cookie`; new values in
 * `Set-Cookie`), `GET /validate` (200 if the cookie is accepted, else 401).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the service behaves for the next requests. */
export type ProviderMode = 'good' | 'slow' | 'down' | 'invalid' | 'flaky';

/** Options of {@link CookieProviderService.start}. */
export interface CookieProviderServiceOptions {
  /** How long a replaced value is still accepted. Default 60,000 ms. */
  readonly graceMs?: number;
  /** Extra latency in `slow` mode. Default 200 ms. */
  readonly slowMs?: number;
  /** In `flaky` mode, every `flakyEvery`-th request answers 503. Default 2. */
  readonly flakyEvery?: number;
  /** The service's clock. Default `Date.now`. */
  readonly now?: () => number;
}

interface Account {
  readonly keys: readonly string[];
  current: Map<string, string>;
  previous: Map<string, string> | undefined;
  previousUntil: number;
  seq: number;
  rotating: number;
}

/** What the service saw. */
export interface ProviderStats {
  rotations: number;
  refused: number;
  /** Most rotate requests of one account in flight at once (1 when every owner rotates alone). */
  maxConcurrentPerAccount: number;
}

/**
 * The local provider.
 *
 * @example
 * ```ts
 * const service = await CookieProviderService.start({ graceMs: 30_000 });
 * const cookie = service.issue('ann', ['sid', 'csrf']); // 'sid=…; csrf=…'
 * service.mode = 'down'; // every request now fails at the socket
 * await service.close();
 * ```
 */
export class CookieProviderService {
  mode: ProviderMode = 'good';
  /** Called as each rotate request arrives, before it is answered (tests use it to kill an owner mid-rotation). */
  onRotateRequest: (() => void) | undefined;
  readonly stats: ProviderStats = { rotations: 0, refused: 0, maxConcurrentPerAccount: 0 };
  readonly #accounts = new Map<string, Account>();
  readonly #byValue = new Map<string, string>();
  #requests = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: Required<CookieProviderServiceOptions>,
  ) {}

  static async start(options: CookieProviderServiceOptions = {}): Promise<CookieProviderService> {
    const resolved = { graceMs: 60_000, slowMs: 200, flakyEvery: 2, now: Date.now, ...options };
    let service: CookieProviderService | undefined;
    const server = createServer((req, res) => void service?.handle(req, res));
    service = new CookieProviderService(server, resolved);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return service;
  }

  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Logs `account` in: fresh values for `keys`, returned as a cookie string. */
  issue(account: string, keys: readonly string[] = ['sid']): string {
    const entry: Account = { keys, current: new Map(), previous: undefined, previousUntil: 0, seq: 0, rotating: 0 };
    this.#accounts.set(account, entry);
    this.#renew(account, entry);
    return this.current(account);
  }

  /** The account's current cookie string (what its owner should hold). */
  current(account: string): string {
    return [...(this.#accounts.get(account)?.current ?? [])].map(([key, value]) => `${key}=${value}`).join('; ');
  }

  /** How many times the account's cookie was rotated. */
  rotations(account: string): number {
    return this.#accounts.get(account)?.seq ?? 0;
  }

  /** Every value issued so far, secret: for tests that search outputs for leaks. */
  issuedValues(): string[] {
    return [...this.#byValue.keys()];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #renew(name: string, account: Account): void {
    account.seq++;
    account.current = new Map(account.keys.map((key) => [key, `${name}.${account.seq}.${randomBytes(12).toString('base64url')}`]));
    for (const value of account.current.values()) this.#byValue.set(value, name);
  }

  /** The account a cookie belongs to and whether it is current, previous (in grace) or stale. */
  #check(cookie: string): { name: string; account: Account; standing: 'current' | 'previous' | 'stale' } | undefined {
    const pairs = new Map(cookie.split(';').map((part) => part.trim().split('=') as [string, string]));
    for (const value of pairs.values()) {
      const name = this.#byValue.get(value);
      const account = name === undefined ? undefined : this.#accounts.get(name);
      if (name === undefined || !account) continue;
      const matches = (values: Map<string, string> | undefined) => values !== undefined && account.keys.every((key) => pairs.get(key) === values.get(key));
      if (matches(account.current)) return { name, account, standing: 'current' };
      if (matches(account.previous) && this.options.now() < account.previousUntil) return { name, account, standing: 'previous' };
      return { name, account, standing: 'stale' };
    }
    return undefined;
  }

  #slow(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.options.slowMs));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const request = ++this.#requests;
    if (this.mode === 'down') return void req.socket.destroy();
    if (this.mode === 'flaky' && request % this.options.flakyEvery === 0) return void res.writeHead(503).end();
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const found = this.#check(req.headers.cookie ?? '');
    const accepted = found !== undefined && found.standing !== 'stale';
    if (found && path === '/rotate') {
      found.account.rotating++;
      res.once('close', () => found.account.rotating--); // answered, or the caller is gone
    }
    if (path === '/rotate') this.onRotateRequest?.();
    if (found && path === '/rotate') this.stats.maxConcurrentPerAccount = Math.max(this.stats.maxConcurrentPerAccount, found.account.rotating);
    if (!accepted) {
      this.stats.refused++;
      return void res.writeHead(401).end();
    }
    if (path === '/validate' && req.method === 'GET') {
      if (this.mode === 'slow') await this.#slow();
      return void res.writeHead(200).end('ok');
    }
    if (path !== '/rotate' || req.method !== 'POST') return void res.writeHead(404).end();
    if (this.mode === 'invalid') return void res.writeHead(200).end(); // answers, but sets nothing
    const { name, account, standing } = found;
    // The presented value stays good for the grace window: its owner may never get this answer.
    if (standing === 'current') account.previous = account.current;
    account.previousUntil = this.options.now() + this.options.graceMs;
    this.#renew(name, account);
    this.stats.rotations++;
    // Slow answers come after the rotation: an owner that dies meanwhile never hears of the new value.
    if (this.mode === 'slow') await this.#slow();
    res.writeHead(200, { 'set-cookie': [...account.current].map(([key, value]) => `${key}=${value}; Path=/; HttpOnly`) }).end();
  }
}
