/**
 * Answering a node:http request with JSON.
 * @internal
 */
import type { ServerResponse } from 'node:http';

/** Sends `body` as JSON with an exact content-length; does nothing once the response has started or the socket is gone. @internal */
export function sendJson(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
