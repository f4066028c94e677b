/**
 * A queue over HTTP, for consumers in other processes (and producers): JSON
 * in and out, every body parsed with the queue actor's own message schemas
 * before the actor sees it; bad input is a 400 carrying
 * `ERR_INVALID_MESSAGE` and changes nothing.
 *
 * Routes, under `basePath` (default `/queues/<name>`):
 * - `POST /jobs` enqueue `{ payload, options? }` → 201 job
 * - `GET /jobs/:id` → 200 job | 404
 * - `POST /claim` `{ consumer?, leaseMs? }` → 200 `{ job, attemptId, leaseExpiresAt }` | 204 nothing ready
 * - `POST /jobs/:id/heartbeat` `{ attemptId }` → 200 `{ leaseExpiresAt }`
 * - `POST /jobs/:id/progress` `{ attemptId, pct }` → 200 `{}`
 * - `POST /jobs/:id/complete` `{ attemptId, result? }` → 200 job
 * - `POST /jobs/:id/fail` `{ attemptId, error: { code, message }, retry? }` → 200 job
 *
 * A report for a superseded attempt is a 409 `ERR_STALE_ATTEMPT`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StewardError, type ActorRef } from '../../../index.js';
import { sendJson } from '../../../http/index.js';
import { issuesOf, readJson } from '../registry/http-io.js';
import type { QueueDefinition } from './queue-actor.js';

/**
 * A request handler to mount in any node:http server: returns `false` (and
 * leaves the response alone) for paths outside `basePath`.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * declare const ownRoutes: http.RequestListener;
 * const media = defineQueue({ name: 'media', payload: z.object({ postUrl: z.string() }) });
 * const jobsHttp = createQueueHttpHandler(media.ref(system));
 * http.createServer((req, res) => jobsHttp(req, res) || ownRoutes(req, res));
 * ```
 */
export type QueueHttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Largest request body, in bytes (payloads and results travel in them). */
export const MAX_QUEUE_BODY_BYTES = 1024 * 1024;

const REPORTS = new Set(['heartbeat', 'progress', 'complete', 'fail']);
const STATUS: Record<string, number> = { ERR_INVALID_MESSAGE: 400, ERR_NOT_FOUND: 404, ERR_STALE_ATTEMPT: 409, ERR_INVALID_STATE: 409 };

type AnyQueueRef = ActorRef<QueueDefinition<any>>;

/**
 * Serves one queue over HTTP (usually in the process that owns the store).
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * const media = defineQueue({ name: 'media', payload: z.object({ postUrl: z.string() }) });
 * const handler = createQueueHttpHandler(media.ref(system), { basePath: '/internal/queues/media' });
 * http.createServer((req, res) => void (handler(req, res) || res.writeHead(404).end())).listen(8080, '127.0.0.1');
 * ```
 */
export function createQueueHttpHandler(queue: AnyQueueRef, options: { readonly basePath?: string } = {}): QueueHttpHandler {
  const base = (options.basePath ?? `/queues/${queue.key}`).replace(/\/+$/, '');
  return (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== base && !pathname.startsWith(`${base}/`)) return false;
    void serve(queue, pathname.slice(base.length).split('/').filter(Boolean), req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 503, { error: { code: 'ERR_QUEUE_UNAVAILABLE', message: error instanceof Error ? error.message : String(error) } });
    });
    return true;
  };
}

/** Which queue message a route is, and the payload it carries (the path's job id merged in). */
function route(method: string, parts: string[]): { type: string; jobId?: string } | undefined {
  const [first, id, action] = parts;
  if (method === 'POST' && first === 'claim' && parts.length === 1) return { type: 'claim' };
  if (first !== 'jobs') return undefined;
  if (parts.length === 1 && method === 'POST') return { type: 'enqueue' };
  if (id === undefined || parts.length > 3) return undefined;
  if (action === undefined && method === 'GET') return { type: 'get', jobId: id };
  if (action !== undefined && REPORTS.has(action) && method === 'POST') return { type: action, jobId: id };
  return undefined;
}

async function serve(queue: AnyQueueRef, parts: string[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const found = route(method, parts);
  if (!found) {
    req.resume();
    return sendJson(res, 404, { error: { code: 'ERR_NOT_FOUND', message: `no queue route ${method} /${parts.join('/')}` } });
  }
  const body = method === 'GET' ? ({ ok: true, value: {} } as const) : await readJson(req, MAX_QUEUE_BODY_BYTES);
  if (!body.ok) return sendJson(res, body.status, { error: { code: body.status === 413 ? 'ERR_PAYLOAD_TOO_LARGE' : 'ERR_INVALID_MESSAGE', message: body.message } });
  const value = found.jobId === undefined ? body.value : { ...(body.value as object), jobId: found.jobId };
  const schema = queue.definition.messages[found.type as 'get'];
  const parsed = schema.safeParse(value);
  if (!parsed.success) return sendJson(res, 400, { error: { code: 'ERR_INVALID_MESSAGE', message: `invalid ${found.type} request`, issues: issuesOf(parsed.error) } });
  try {
    const reply = (await queue.ask(found.type as 'get', parsed.data)) as object | null | undefined;
    if (found.type === 'claim' && reply === null) {
      res.writeHead(204).end();
      return;
    }
    if (found.type === 'get' && reply === undefined) return sendJson(res, 404, { error: { code: 'ERR_NOT_FOUND', message: `no job ${found.jobId}` } });
    sendJson(res, found.type === 'enqueue' ? 201 : 200, reply ?? {});
  } catch (error) {
    const code = error instanceof StewardError ? error.code : 'ERR_QUEUE_UNAVAILABLE';
    const status = STATUS[code];
    sendJson(res, status ?? 503, { error: { code: status ? code : 'ERR_QUEUE_UNAVAILABLE', message: error instanceof Error ? error.message : String(error) } });
  }
}
