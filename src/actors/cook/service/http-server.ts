/**
 * Small node:http helpers shared by the webhook listener and the generation
 * service: bounded JSON body reading, JSON replies, and a loopback listener
 * whose close also ends idle keep-alive sockets.
 * @internal
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Largest request body read, in bytes; past it the request is refused with 413. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The outcome of reading a body: parsed JSON, or why not. @internal */
export type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'too-large' }
  | { readonly ok: false; readonly reason: 'aborted' }
  | { readonly ok: false; readonly reason: 'invalid-json'; readonly message: string };

/** The outcome of reading a raw body: its bytes, or why not. @internal */
export type RawBodyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: 'too-large' }
  | { readonly ok: false; readonly reason: 'aborted' };

/**
 * Reads a body, buffering at most `limitBytes`. Stops buffering at the
 * limit (the rest is discarded, never held), so a hostile client cannot make
 * it allocate more than the limit.
 * @internal
 */
export function readRawBody(req: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<RawBodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.on('error', () => {}).resume();
    return Promise.resolve({ ok: false, reason: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: RawBodyResult) => {
      req.off('data', onData).off('end', onEnd).off('error', onAborted).off('aborted', onAborted);
      // Keep the stream flowing so the rest is drained and discarded rather than left in socket buffers.
      if (!result.ok) req.on('error', () => {}).resume();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) finish({ ok: false, reason: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, bytes: Buffer.concat(chunks, size) });
    const onAborted = () => finish({ ok: false, reason: 'aborted' });
    req.on('data', onData).on('end', onEnd).on('error', onAborted).on('aborted', onAborted);
  });
}

/** Parses JSON from bytes, refusing invalid UTF-8 instead of silently replacing it. @internal */
export function parseJsonBytes(bytes: Uint8Array): BodyResult {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: 'invalid-json', message: err instanceof Error ? err.message : String(err) };
  }
}

/** Reads and parses a JSON body, buffering at most `limitBytes`. @internal */
export async function readJsonBody(req: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<BodyResult> {
  const read = await readRawBody(req, limitBytes);
  return read.ok ? parseJsonBytes(read.bytes) : read;
}

/** Sends `body` as JSON with an exact content-length. @internal */
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

/** The JSON error envelope every endpoint here answers with. @internal */
export function errorBody(code: string, message: string, issues?: readonly unknown[]): { error: Record<string, unknown> } {
  return { error: issues === undefined ? { code, message } : { code, message, issues } };
}

/**
 * A running loopback HTTP server.
 *
 * @example
 * ```ts
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
