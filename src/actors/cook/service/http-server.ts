/**
 * Small node:http helpers shared by the webhook listener and the generation
 * service: the body bound, the error envelope, and a loopback listener whose
 * close also ends idle keep-alive sockets (bounded reading and JSON replies
 * come from src/http).
 * @internal
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MAX_BODY_BYTES } from '../../../http/index.js';

/** Largest request body read, in bytes; past it the request is refused with 413. */
export const MAX_BODY_BYTES = DEFAULT_MAX_BODY_BYTES;

// Body reading and JSON replies are steward's shared node:http plumbing (src/http); re-exported for the demo's generation service, which reads them here.
export { readJsonBody, sendJson } from '../../../http/index.js';

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

/**
 * Listens on 127.0.0.1 on an ephemeral port.
 * @internal
 */
export async function listenLocal(listener: RequestListener): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // close() alone waits for keep-alive sockets to time out; tests and shutdown must not.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
