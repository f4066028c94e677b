/**
 * The webhook path of a completion: a framework-agnostic handler that checks
 * the sender's signature, then validates the body, before anything is
 * reported; a node:http listener that reads a bounded raw body into it; and a
 * tiny loopback server.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Clock } from '../../../index.js';
import { InvalidWebhookError } from './errors.js';
import { summarizeIssues, toIssues } from '../../../index.js';
import { parseJsonBytes, readRawBody, sendJson, signatureOf } from '../../../http/index.js';
import { errorBody, listenLocal, MAX_BODY_BYTES, type LocalServer } from './http-server.js';
import { WebhookBodySchema, type WebhookBody } from './schemas.js';
import { webhookSignatureProblem } from './webhook-signature.js';

/**
 * What a webhook handler answers: an HTTP status and a JSON body.
 *
 * @example
 * ```ts
 * import type { ServerResponse } from 'node:http';
 * declare const handler: WebhookHandler;
 * declare const delivery: WebhookDelivery;
 * declare const res: ServerResponse;
 * const { status, body }: WebhookResponse = await handler(delivery);
 * res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
 * ```
 */
export interface WebhookResponse {
  readonly status: number;
  readonly body: object;
}

/**
 * One delivery as it arrived: the raw body (signed as bytes, so never
 * re-serialized) and its `steward-signature` header.
 *
 * @example
 * ```ts
 * declare const request: Request; // a fetch-style request
 * const delivery: WebhookDelivery = { rawBody: await request.text(), signature: request.headers.get('steward-signature') ?? undefined };
 * ```
 */
export interface WebhookDelivery {
  readonly rawBody: string | Uint8Array;
  readonly signature: string | undefined;
}

/**
 * Verifies, parses and validates one delivery and reports it; never throws.
 *
 * @example
 * ```ts
 * declare const handler: WebhookHandler;
 * declare const rawBody: Buffer; // the bytes as they arrived
 * declare const signature: string | undefined; // the steward-signature header
 * const { status, body } = await handler({ rawBody, signature });
 * ```
 */
export type WebhookHandler = (delivery: WebhookDelivery) => Promise<WebhookResponse>;

/**
 * Receives one validated completion; the cook app typically `tell`s its cook actor.
 *
 * @example
 * ```ts
 * const onCompletion: CompletionListener = (completion) => cook.tell('pieceCompleted', { ...completion, source: 'webhook' });
 * ```
 */
export type CompletionListener = (completion: WebhookBody) => Promise<void> | void;

/**
 * Options of {@link createWebhookHandler}.
 *
 * @example
 * ```ts
 * declare const secret: string;
 * const onCompletion: CompletionListener = (completion) => cook.tell('pieceCompleted', { ...completion, source: 'webhook' });
 * createWebhookHandler(onCompletion, { secret, clock: system.clock, onError: (error, { jobId }) => log.warn({ jobId }, String(error)) });
 * ```
 */
export interface WebhookHandlerOptions {
  /** The secret the generation service signs deliveries with (HMAC-SHA256). Unsigned or badly signed deliveries get 401. */
  readonly secret: string;
  /** Replay window: signatures older (or newer) than this get 401. Default 5 minutes. */
  readonly toleranceMs?: number;
  /** Reads the time the replay window is measured from: the system's clock (`realClock` outside a system). */
  readonly clock: Clock;
  /**
   * Called when `onCompletion` throws; the sender gets a 500 and may retry.
   * Without it such failures would only be visible to the sender.
   */
  readonly onError?: (error: unknown, completion: WebhookBody) => void;
}

/**
 * Parses a webhook body, or throws `ERR_INVALID_WEBHOOK` with the zod issues.
 *
 * @example
 * ```ts
 * declare const request: Request;
 * const completion = parseWebhookBody(await request.json());
 * ```
 */
export function parseWebhookBody(body: unknown): WebhookBody {
  const parsed = WebhookBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = toIssues(parsed.error.issues);
  throw new InvalidWebhookError(`invalid webhook body: ${summarizeIssues(issues)}`, issues, { cause: parsed.error });
}

/**
 * Builds a handler that checks a delivery's signature (401
 * `ERR_WEBHOOK_SIGNATURE` before anything is parsed: unsigned, forged, or
 * outside the replay window), then parses and zod-validates the body (400
 * `ERR_INVALID_WEBHOOK` with the issues), then passes it to `onCompletion`.
 * `onCompletion` may throw `InvalidWebhookError` for a body it refuses (400,
 * a permanent error); any other throw answers 500 so the sender may retry
 * (completions are idempotent on job id downstream).
 *
 * @example
 * ```ts
 * declare const secret: string; // shared with the generation service
 * const handler = createWebhookHandler((c) => cook.tell('pieceCompleted', { ...c, source: 'webhook' }), { secret, clock: system.clock });
 * // any framework: hand it the raw body and the signature header, e.g. a fetch-style route
 * export async function POST(request: Request): Promise<Response> {
 *   const { status, body } = await handler({ rawBody: await request.text(), signature: request.headers.get('steward-signature') ?? undefined });
 *   return Response.json(body, { status });
 * }
 * ```
 */
export function createWebhookHandler(onCompletion: CompletionListener, options: WebhookHandlerOptions): WebhookHandler {
  if (typeof options?.secret !== 'string' || options.secret.length < 16) {
    throw new TypeError('createWebhookHandler needs options.secret, the shared signing secret (at least 16 characters)');
  }
  return async ({ rawBody, signature }) => {
    const problem = webhookSignatureProblem(options.secret, signature, rawBody, {
      nowMs: options.clock.now(),
      ...(options.toleranceMs === undefined ? {} : { toleranceMs: options.toleranceMs }),
    });
    if (problem) return { status: 401, body: errorBody('ERR_WEBHOOK_SIGNATURE', `webhook refused: ${problem}`) };
    const json = parseJsonBytes(typeof rawBody === 'string' ? Buffer.from(rawBody) : rawBody);
    if (!json.ok) {
      const { message } = json;
      return { status: 400, body: errorBody('ERR_INVALID_WEBHOOK', `webhook body is not JSON: ${message}`, [{ path: [], code: 'invalid_json', message }]) };
    }
    let completion: WebhookBody;
    try {
      completion = parseWebhookBody(json.value);
      await onCompletion(completion);
    } catch (err) {
      if (err instanceof InvalidWebhookError) return { status: 400, body: errorBody(err.code, err.message, err.issues) };
      options.onError?.(err, json.value as WebhookBody);
      const jobId = (json.value as { jobId?: unknown }).jobId;
      return { status: 500, body: errorBody('ERR_WEBHOOK_FAILED', `completion of job '${String(jobId)}' could not be recorded; retry later`) };
    }
    return { status: 200, body: { ok: true, jobId: completion.jobId } };
  };
}

/**
 * Options of {@link mountWebhook}.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * declare const handler: WebhookHandler;
 * http.createServer(mountWebhook(handler, { path: '/hooks/generation', maxBodyBytes: 16_384 }));
 * ```
 */
export interface MountWebhookOptions {
  /** Only this path is served (404 otherwise); every path when absent. */
  readonly path?: string;
  /** Largest body read, in bytes (default 64 KiB); larger bodies get 413. */
  readonly maxBodyBytes?: number;
}

/**
 * Adapts a {@link WebhookHandler} to a node:http request listener: POST only,
 * at most `maxBodyBytes` of JSON (413 past that, 400 `ERR_INVALID_WEBHOOK` on
 * bad JSON), then the handler's status and body.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * declare const secret: string;
 * const onCompletion: CompletionListener = (completion) => cook.tell('pieceCompleted', { ...completion, source: 'webhook' });
 * http.createServer(mountWebhook(createWebhookHandler(onCompletion, { secret, clock: realClock }), { path: '/webhook' })).listen(8080);
 * ```
 */
export function mountWebhook(handler: WebhookHandler, options: MountWebhookOptions = {}): RequestListener {
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  return (req, res) => {
    serve(handler, limit, options.path, req, res).catch((err: unknown) => {
      // Only reachable if writing the response itself failed; the socket is the last thing to clean up.
      if (res.headersSent) res.destroy(err instanceof Error ? err : undefined);
      else sendJson(res, 500, errorBody('ERR_WEBHOOK_FAILED', 'internal error'));
    });
  };
}

async function serve(
  handler: WebhookHandler,
  limit: number,
  path: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path !== undefined && pathname !== path) {
    req.resume();
    return sendJson(res, 404, errorBody('ERR_NOT_FOUND', `no webhook at ${pathname}`));
  }
  if (req.method !== 'POST') {
    req.resume();
    return sendJson(res, 405, errorBody('ERR_METHOD_NOT_ALLOWED', 'webhooks are POSTed'), { allow: 'POST' });
  }
  const read = await readRawBody(req, limit);
  if (read.ok) {
    const { status, body } = await handler({ rawBody: read.bytes, signature: signatureOf(req.headers) });
    return sendJson(res, status, body);
  }
  switch (read.reason) {
    case 'too-large':
      // The rest of the body is not read, so this connection cannot carry another request.
      return sendJson(res, 413, errorBody('ERR_PAYLOAD_TOO_LARGE', `webhook bodies are at most ${limit} bytes`), {
        connection: 'close',
      });
    case 'aborted':
      res.destroy();
  }
}

/**
 * Options of {@link startWebhookServer}.
 *
 * @example
 * ```ts
 * declare const handler: WebhookHandler;
 * const hook = await startWebhookServer(handler, { path: '/hooks/generation' }); // hook.url ends in /hooks/generation
 * ```
 */
export interface WebhookServerOptions {
  /** The path served (default `/webhook`); it ends the returned `url`. */
  readonly path?: string;
  /** Largest body read, in bytes (default 64 KiB). */
  readonly maxBodyBytes?: number;
}

/**
 * Serves a webhook handler on 127.0.0.1 on an ephemeral port. `url` is the
 * full webhook URL to put in submissions.
 *
 * @example
 * ```ts
 * declare const secret: string;
 * declare const submitter: Submitter;
 * const onCompletion: CompletionListener = (completion) => cook.tell('pieceCompleted', { ...completion, source: 'webhook' });
 * const hook = await startWebhookServer(createWebhookHandler(onCompletion, { secret, clock: realClock }));
 * await submitter.submit({ jobId: 'job-1', collectionId: 'col-1', userId: 'ann', pieceIndex: 0, webhookUrl: hook.url });
 * await hook.close();
 * ```
 */
export async function startWebhookServer(handler: WebhookHandler, options: WebhookServerOptions = {}): Promise<LocalServer> {
  const path = options.path ?? '/webhook';
  const listener = mountWebhook(handler, {
    path,
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  });
  const server = await listenLocal(listener);
  return { url: `http://127.0.0.1:${server.port}${path}`, close: server.close };
}
