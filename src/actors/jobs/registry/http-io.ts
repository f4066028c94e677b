/**
 * node:http plumbing for the registry's HTTP surface: a bounded JSON body
 * reader and JSON replies in one error envelope.
 * @internal
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

/** Largest request body read, in bytes. Registry requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** A parsed body, or why there is none. @internal */
export type Body = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly status: 400 | 413; readonly message: string };

/** Reads at most `limit` bytes of JSON; never buffers past the limit. @internal */
export function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Body> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (body: Body) => {
      if (done) return;
      done = true;
      if (!body.ok) req.resume(); // drain and discard the rest
      resolve(body);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish({ ok: false, status: 413, message: `request bodies are at most ${limit} bytes` });
      else if (!done) chunks.push(chunk);
    });
    req.on('error', () => finish({ ok: false, status: 400, message: 'request aborted' }));
    req.on('end', () => {
      if (size === 0) return finish({ ok: true, value: {} });
      try {
        finish({ ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))) as unknown });
      } catch (error) {
        finish({ ok: false, status: 400, message: `body is not JSON: ${error instanceof Error ? error.message : String(error)}` });
      }
    });
  });
}

/** Sends `body` as JSON. @internal */
export function sendJson(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** Zod issues as plain data. @internal */
export function issuesOf(error: z.ZodError): { path: (string | number)[]; message: string; code: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
    message: issue.message,
    code: issue.code,
  }));
}
