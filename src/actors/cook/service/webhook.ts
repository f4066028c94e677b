/**
 * The webhook path of a completion: a framework-agnostic handler that
 * validates the body before anything is reported, a node:http listener that
 * reads a bounded body into it, and a tiny loopback server for the demo.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { InvalidWebhookError } from './errors.js';
import { summarizeIssues, toIssues } from '../../../issues.js';
import { errorBody, listenLocal, MAX_BODY_BYTES, readJsonBody, sendJson, type LocalServer } from './http-server.js';
import { WebhookBodySchema, type WebhookBody } from './schemas.js';

/**
 * What a webhook handler answers: an HTTP status and a JSON body.
 *
 * @example
 * ```ts
 * const { status, body }: WebhookResponse = await handler(JSON.parse(rawBody));
 * res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
 * ```
 */
export interface WebhookResponse {
  readonly status: number;
  readonly body: object;
}

/**
 * Validates a parsed webhook body and reports it; never throws.
 *
 * @example
 * ```ts
 * const { status, body } = await handler(JSON.parse(rawBody));
 * ```
 */
export type WebhookHandler = (body: unknown) => Promise<WebhookResponse>;

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
 * createWebhookHandler(onCompletion, { onError: (error, { jobId }) => log.warn({ jobId }, String(error)) });
 * ```
 */
export interface WebhookHandlerOptions {
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
 * Builds a handler that zod-validates a webhook body and passes it to
 * `onCompletion`. A bad body answers 400 `ERR_INVALID_WEBHOOK` with the issues
 * and `onCompletion` is not called; a throwing `onCompletion` answers 500 so
 * the sender may retry (completions are idempotent on job id downstream).
 *
 * @example
 * ```ts
 * const handler = createWebhookHandler((c) => cook.tell('pieceCompleted', { ...c, source: 'webhook' }));
 * app.post('/webhook', async (req, res) => {
 *   const { status, body } = await handler(req.body);
 *   res.status(status).json(body);
 * });
 * ```
 */
export function createWebhookHandler(onCompletion: CompletionListener, options: WebhookHandlerOptions = {}): WebhookHandler {
  return async (body) => {
    let completion: WebhookBody;
    try {
      completion = parseWebhookBody(body);
    } catch (err) {
      const invalid = err as InvalidWebhookError;
      return { status: 400, body: errorBody(invalid.code, invalid.message, invalid.issues) };
    }
    try {
      await onCompletion(completion);
    } catch (err) {
      options.onError?.(err, completion);
      return {
        status: 500,
        body: errorBody('ERR_WEBHOOK_FAILED', `completion of job '${completion.jobId}' could not be recorded; retry later`),
      };
    }
    return { status: 200, body: { ok: true, jobId: completion.jobId } };
  };
}

/**
 * Options of {@link mountWebhook}.
 *
 * @example
 * ```ts
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
 * http.createServer(mountWebhook(createWebhookHandler(onCompletion), { path: '/webhook' })).listen(8080);
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
  const read = await readJsonBody(req, limit);
  if (read.ok) {
    const { status, body } = await handler(read.value);
    return sendJson(res, status, body);
  }
  switch (read.reason) {
    case 'too-large':
      // The rest of the body is not read, so this connection cannot carry another request.
      return sendJson(res, 413, errorBody('ERR_PAYLOAD_TOO_LARGE', `webhook bodies are at most ${limit} bytes`), {
        connection: 'close',
      });
    case 'invalid-json':
      return sendJson(
        res,
        400,
        errorBody('ERR_INVALID_WEBHOOK', `webhook body is not JSON: ${read.message}`, [
          { path: [], code: 'invalid_json', message: read.message },
        ]),
      );
    case 'aborted':
      res.destroy();
  }
}

/**
 * Options of {@link startWebhookServer}.
 *
 * @example
 * ```ts
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
 * const hook = await startWebhookServer(createWebhookHandler(onCompletion));
 * await submitter.submit({ ...job, webhookUrl: hook.url });
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
