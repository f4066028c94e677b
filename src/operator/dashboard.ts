/**
 * The live dashboard as a Node request handler the embedding service mounts
 * on its own server (or {@link startDashboard} on a port of its own): a
 * static page, its data over Server-Sent Events, a JSON snapshot and the
 * Prometheus exposition. Read-only unless actions are enabled with a
 * bearer token; nothing secret is ever on it (ids, statuses, counts).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidConfigError, type ActorSystem } from '../index.js';
import { DASHBOARD_PAGE } from './dashboard-page.js';
import { timingBrief, type DashboardSnapshot } from './dashboard-snapshot.js';
import { readDomains, type OperatorDomain, type RecordReader } from './domain.js';
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from './prometheus.js';
import { RecentIncidents } from './recent-events.js';

/**
 * Options of {@link dashboard}.
 *
 * @example
 * ```ts
 * const domains = defaultDomains();
 * dashboard({ system, reader: persistence, domains, intervalMs: 1_000 });
 * dashboard({ system, reader: persistence, domains, actions: { token: process.env['DASHBOARD_TOKEN'] ?? '' } }); // POST /actions/… with Authorization: Bearer …
 * ```
 */
export interface DashboardOptions {
  readonly system: ActorSystem;
  /** Where domains read their records (the `Persistence` the system writes through). Without it, domains are not shown. */
  readonly reader?: RecordReader;
  readonly domains?: readonly OperatorDomain[];
  /** How often the page is updated. Default 1,000 ms. */
  readonly intervalMs?: number;
  /** Path the handler is mounted under (e.g. `/ops`). Default: the root. */
  readonly basePath?: string;
  /** Enables the domains' actions, each request showing this token as `Authorization: Bearer <token>` (at least 16 characters). */
  readonly actions?: { readonly token: string };
}

/**
 * A mounted dashboard: the request handler, and `close()` to stop its timer,
 * end its streams and let go of the system's events.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * declare const app: http.RequestListener; // the service's own routes
 * const ops = dashboard({ system, reader: persistence, domains: defaultDomains() });
 * http.createServer((req, res) => (req.url?.startsWith('/ops') ? ops.handle(req, res) : app(req, res)));
 * ```
 */
export interface Dashboard {
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** The snapshot the page would get now. */
  snapshot(): Promise<DashboardSnapshot>;
  close(): void;
}

/** @example `const ops = dashboard({ system, reader: persistence, domains: defaultDomains() });` */
export function dashboard(options: DashboardOptions): Dashboard {
  const { system, reader } = options;
  const domains = options.domains ?? [];
  const intervalMs = options.intervalMs ?? 1_000;
  const base = (options.basePath ?? '').replace(/\/$/, '');
  const token = options.actions?.token;
  if (token !== undefined && token.length < 16) throw new InvalidConfigError('dashboard actions need a token of at least 16 characters');
  const incidents = new RecentIncidents(system);
  const streams = new Set<ServerResponse>();
  let tick = 0;
  let timer: NodeJS.Timeout | undefined;

  const snapshot = async (): Promise<DashboardSnapshot> => {
    const metrics = system.metrics();
    const views = reader ? await readDomains(domains, reader, { now: system.clock.now() }) : [];
    const actions = token === undefined ? {} : Object.fromEntries(domains.filter((domain) => domain.actions).map((domain) => [domain.name, Object.keys(domain.actions ?? {})]));
    return {
      at: metrics.at,
      tick: ++tick,
      actors: metrics.actors,
      mailboxes: metrics.mailboxes,
      turns: timingBrief(metrics.turns.timed, metrics.turns.durationMs),
      commits: { ...timingBrief(metrics.commits.timed, metrics.commits.durationMs), failed: metrics.commits.failed },
      events: metrics.events,
      pools: metrics.pools,
      incidents: incidents.items,
      domains: views,
      actions,
    };
  };

  let broadcasting = false;
  // A tick that finds the last one still reading (a slow store) is skipped: ticks never stack.
  const broadcast = async (): Promise<void> => {
    if (broadcasting) return;
    broadcasting = true;
    try {
      const data = `data: ${JSON.stringify(await snapshot())}\n\n`;
      for (const stream of streams) stream.write(data);
    } finally {
      broadcasting = false;
    }
  };
  const startTicking = () => {
    timer ??= setInterval(() => void broadcast().catch(() => undefined), intervalMs);
    timer.unref();
  };

  const stream = (request: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    streams.add(response);
    startTicking();
    void snapshot().then((first) => response.write(`retry: 2000\ndata: ${JSON.stringify(first)}\n\n`), () => undefined);
    request.on('close', () => {
      streams.delete(response);
      if (streams.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    });
  };

  const act = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
    if (token === undefined) return reply(response, 403, { code: 'ERR_ACTIONS_DISABLED', message: 'this dashboard is read-only: actions are not enabled' });
    if (!bearerMatches(request.headers.authorization, token)) return reply(response, 401, { code: 'ERR_UNAUTHORIZED', message: 'an action needs Authorization: Bearer <token>' });
    const [, domainName = '', actionName = ''] = /^\/actions\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
    const action = domains.find((domain) => domain.name === domainName)?.actions?.[actionName];
    if (!action) return reply(response, 404, { code: 'ERR_NOT_FOUND', message: `no action '${actionName}' on domain '${domainName}'` });
    const target = new URL(request.url ?? '/', 'http://dashboard').searchParams.get('target') ?? '';
    if (target === '') return reply(response, 400, { code: 'ERR_INVALID_MESSAGE', message: 'an action needs ?target=<id>' });
    try {
      reply(response, 200, { ok: true, message: await action(target, { system }) });
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? 'ERR_ACTION_FAILED');
      reply(response, 409, { code, message: error instanceof Error && typeof (error as { code?: unknown }).code === 'string' ? error.message : 'the action failed' });
    }
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://dashboard');
    const path = url.pathname.startsWith(base) ? url.pathname.slice(base.length) || '/' : url.pathname;
    if (request.method === 'POST' && path.startsWith('/actions/')) return void act(request, response, path);
    if (request.method !== 'GET') return reply(response, 405, { code: 'ERR_METHOD_NOT_ALLOWED', message: 'the dashboard is read-only: GET only' });
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'" });
      return void response.end(DASHBOARD_PAGE);
    }
    if (path === '/events') return stream(request, response);
    if (path === '/snapshot.json') return void snapshot().then((body) => reply(response, 200, body), () => reply(response, 500, { code: 'ERR_SNAPSHOT_FAILED' }));
    if (path === '/metrics') {
      void (reader ? readDomains(domains, reader, { now: system.clock.now() }) : Promise.resolve([])).then(
        (views) => {
          response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
          response.end(prometheusText(system.metrics(), views));
        },
        () => reply(response, 500, { code: 'ERR_SNAPSHOT_FAILED' }),
      );
      return;
    }
    reply(response, 404, { code: 'ERR_NOT_FOUND', message: `no page ${path}` });
  };

  return {
    handle,
    snapshot,
    close: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      for (const open of streams) open.end();
      streams.clear();
      incidents.close();
    },
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const shown = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return shown.length === expected.length && timingSafeEqual(shown, expected);
}
