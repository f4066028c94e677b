/**
 * The registry over HTTP, for worker processes on the same host as the
 * service process that owns the store. JSON in and out, every body and path
 * parameter checked with the registry's zod schemas before any actor sees
 * it; bad input is a 400 carrying `ERR_INVALID_MESSAGE` and changes nothing.
 *
 * Routes, under `basePath` (default `/registry`):
 * - `POST /workers` register → 201 worker | 409 `ERR_WORKER_ACTIVE` with `active`
 * - `GET /workers` → 200 `{ workers }` (not STOPPED)
 * - `POST /workers/:id/running` · `/heartbeat` · `/stopping` → 200 worker | 410 `ERR_WORKER_STOPPED`
 * - `DELETE /workers/:id` deregister → 200 worker
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StewardError } from '../../../index.js';
import { WorkerActiveError } from './errors.js';
import { listenLocal, sendJson } from '../../../http/index.js';
import { issuesOf, readJson } from './http-io.js';
import type { RegistryClient } from './registry-client.js';
import { RegisterRequestSchema, WorkerIdSchema } from './schemas.js';

/**
 * A request handler to mount in any node:http server: returns `false` (and
 * leaves the response alone) for paths outside `basePath`, so the
 * embedding service can route everything else itself.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * declare const registry: ActorRef<WorkerRegistryDefinition>;
 * declare const ownRoutes: http.RequestListener;
 * const registryHttp = createRegistryHttpHandler(localRegistryClient(registry));
 * http.createServer((req, res) => registryHttp(req, res) || ownRoutes(req, res));
 * ```
 */
export type RegistryHttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Options of {@link createRegistryHttpHandler}.
 *
 * @example
 * ```ts
 * declare const client: RegistryClient;
 * createRegistryHttpHandler(client, { basePath: '/internal/registry' });
 * ```
 */
export interface RegistryHttpOptions {
  /** Path prefix of every route. Default `/registry`. */
  readonly basePath?: string;
}

const ACTIONS = new Set(['running', 'heartbeat', 'stopping']);

/**
 * Serves a registry (usually `localRegistryClient(ref)` in the service process) over HTTP.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * const { WorkerRegistry } = createWorkerRegistry();
 * const handler = createRegistryHttpHandler(localRegistryClient(system.ref(WorkerRegistry, 'default')));
 * http.createServer((req, res) => void (handler(req, res) || res.writeHead(404).end())).listen(8080, '127.0.0.1');
 * ```
 */
export function createRegistryHttpHandler(registry: RegistryClient, options: RegistryHttpOptions = {}): RegistryHttpHandler {
  const base = (options.basePath ?? '/registry').replace(/\/+$/, '');
  return (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== base && !pathname.startsWith(`${base}/`)) return false;
    serve(registry, pathname.slice(base.length).split('/').filter(Boolean), req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 503, { error: { code: 'ERR_REGISTRY_UNAVAILABLE', message: describe(error) } });
    });
    return true;
  };
}

async function serve(registry: RegistryClient, parts: string[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const fail = (status: number, code: string, message: string, extra: object = {}) => {
    req.resume();
    sendJson(res, status, { error: { code, message, ...extra } });
  };
  if (parts[0] !== 'workers' || parts.length > 3) return fail(404, 'ERR_NOT_FOUND', `no registry route ${parts.join('/')}`);
  const id = parts[1];
  if (id !== undefined) {
    const parsed = WorkerIdSchema.safeParse(id);
    if (!parsed.success) return fail(400, 'ERR_INVALID_MESSAGE', 'invalid worker id in path', { issues: issuesOf(parsed.error) });
  }
  const action = parts[2];
  let call: () => Promise<unknown>;
  let status = 200;
  if (id === undefined && method === 'GET') call = async () => ({ workers: await registry.list() });
  else if (id === undefined && method === 'POST') {
    const body = await readJson(req);
    if (!body.ok) return fail(body.status, body.status === 413 ? 'ERR_PAYLOAD_TOO_LARGE' : 'ERR_INVALID_MESSAGE', body.message);
    const parsed = RegisterRequestSchema.safeParse(body.value);
    if (!parsed.success) return fail(400, 'ERR_INVALID_MESSAGE', 'invalid registration', { issues: issuesOf(parsed.error) });
    call = () => registry.register(parsed.data);
    status = 201;
  } else if (id !== undefined && action === undefined && method === 'DELETE') call = () => registry.deregister(id);
  else if (id !== undefined && action !== undefined && ACTIONS.has(action) && method === 'POST') {
    req.resume(); // these carry no body
    call = () => registry[action as 'running' | 'heartbeat' | 'stopping'](id);
  } else return fail(method === 'GET' || method === 'POST' || method === 'DELETE' ? 404 : 405, method === 'GET' || method === 'POST' || method === 'DELETE' ? 'ERR_NOT_FOUND' : 'ERR_METHOD_NOT_ALLOWED', `no route ${method} ${parts.join('/')}`);
  try {
    const result = (await call()) as object;
    sendJson(res, status, result);
  } catch (error) {
    if (error instanceof WorkerActiveError) return sendJson(res, 409, { error: { code: error.code, message: error.message, active: error.active } });
    const code = error instanceof StewardError ? error.code : 'ERR_REGISTRY_UNAVAILABLE';
    const statusOf: Record<string, number> = { ERR_WORKER_STOPPED: 410, ERR_INVALID_MESSAGE: 400, ERR_NOT_FOUND: 404 };
    sendJson(res, statusOf[code] ?? 503, { error: { code: statusOf[code] ? code : 'ERR_REGISTRY_UNAVAILABLE', message: describe(error) } });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A running registry server on 127.0.0.1.
 *
 * @example
 * ```ts
 * declare const registry: ActorRef<WorkerRegistryDefinition>;
 * const server = await startRegistryServer(localRegistryClient(registry));
 * const client = httpRegistryClient(server.url);
 * await server.close();
 * ```
 */
export interface RegistryServer {
  /** `http://127.0.0.1:<port><basePath>`. */
  readonly url: string;
  /** Stops listening and ends every open connection. */
  close(): Promise<void>;
}

/**
 * Serves the registry alone on a loopback port (`port` 0: any free one); other paths get 404.
 *
 * @example
 * ```ts
 * declare const registry: ActorRef<WorkerRegistryDefinition>;
 * const { url } = await startRegistryServer(localRegistryClient(registry), { port: 0 });
 * ```
 */
export async function startRegistryServer(registry: RegistryClient, options: RegistryHttpOptions & { readonly port?: number } = {}): Promise<RegistryServer> {
  const handler = createRegistryHttpHandler(registry, options);
  const { port, close } = await listenLocal(
    (req, res) => {
      if (!handler(req, res)) {
        req.resume();
        sendJson(res, 404, { error: { code: 'ERR_NOT_FOUND', message: 'not a registry path' } });
      }
    },
    { port: options.port ?? 0 },
  );
  return { url: `http://127.0.0.1:${port}${(options.basePath ?? '/registry').replace(/\/+$/, '')}`, close };
}
