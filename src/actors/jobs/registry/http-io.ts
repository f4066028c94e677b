/**
 * The jobs handlers' reading of a request: a bounded JSON body (steward's
 * shared reader) with the status a refusal answers, and zod issues as data.
 * @internal
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { parseJsonBytes, readRawBody } from '../../../http/index.js';

/** Largest request body read, in bytes. Registry requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** A parsed body, or why there is none. @internal */
export type Body = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly status: 400 | 413; readonly message: string };

/**
 * Reads at most `limit` bytes of JSON (an empty body is `{}`), with the
 * status and message a refusal answers; never buffers past the limit.
 * @internal
 */
export async function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Body> {
  const read = await readRawBody(req, limit);
  if (!read.ok) return read.reason === 'too-large' ? { ok: false, status: 413, message: `request bodies are at most ${limit} bytes` } : { ok: false, status: 400, message: 'request aborted' };
  if (read.bytes.length === 0) return { ok: true, value: {} };
  const json = parseJsonBytes(read.bytes);
  return json.ok ? json : { ok: false, status: 400, message: `body is not JSON: ${json.message}` };
}

/** Zod issues as plain data. @internal */
export function issuesOf(error: z.ZodError): { path: (string | number)[]; message: string; code: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
    message: issue.message,
    code: issue.code,
  }));
}
