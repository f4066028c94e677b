/**
 * Small node:http helpers shared by the webhook listener and the generation
 * service: the body bound and the error envelope (bounded reading, JSON
 * replies and the loopback listener come from src/http).
 * @internal
 */
import { DEFAULT_MAX_BODY_BYTES } from '../../../http/index.js';

/** Largest request body read, in bytes; past it the request is refused with 413. */
export const MAX_BODY_BYTES = DEFAULT_MAX_BODY_BYTES;

// Body reading, JSON replies and the loopback listener are steward's shared node:http plumbing (src/http); re-exported for the webhook and the demo's generation service, which read them here.
export { listenLocal, readJsonBody, sendJson } from '../../../http/index.js';

/** The JSON error envelope every endpoint here answers with. @internal */
export function errorBody(code: string, message: string, issues?: readonly unknown[]): { error: Record<string, unknown> } {
  return { error: issues === undefined ? { code, message } : { code, message, issues } };
}

/**
 * A running loopback HTTP server.
 *
 * @example
 * ```ts
 * declare const handler: WebhookHandler;
 * const { url, close } = await startWebhookServer(handler);
 * await close();
 * ```
 */
export interface LocalServer {
  /** `http://127.0.0.1:<port>` plus the server's path, if it has one. */
  readonly url: string;
  /** Stops listening and destroys every open socket; safe to call twice. */
  close(): Promise<void>;
}
