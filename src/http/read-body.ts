/**
 * Reading a request body on node:http with a bound: never more than the
 * limit is buffered (a declared length past it is refused before reading,
 * a stream that grows past it is cut off and drained), and JSON is decoded
 * as strict UTF-8. Every HTTP surface steward serves reads its bodies here.
 * @internal
 */
import type { IncomingMessage } from 'node:http';

/** The bound a reader uses when its caller names none: 64 KiB. @internal */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** The outcome of reading a raw body: its bytes, or why not. @internal */
export type RawBodyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: 'too-large' }
  | { readonly ok: false; readonly reason: 'aborted' };

/** The outcome of parsing bytes as JSON: the value, or why not. @internal */
export type JsonResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: 'invalid-json'; readonly message: string };

/** The outcome of reading a body as JSON: the value, or why not. @internal */
export type BodyResult = JsonResult | Exclude<RawBodyResult, { readonly ok: true }>;

/**
 * Reads a body, buffering at most `limitBytes`. Stops buffering at the
 * limit (the rest is discarded, never held), so a hostile client cannot make
 * it allocate more than the limit.
 * @internal
 */
export function readRawBody(req: IncomingMessage, limitBytes = DEFAULT_MAX_BODY_BYTES): Promise<RawBodyResult> {
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
export function parseJsonBytes(bytes: Uint8Array): JsonResult {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: 'invalid-json', message: err instanceof Error ? err.message : String(err) };
  }
}

/** Reads and parses a JSON body, buffering at most `limitBytes`. @internal */
export async function readJsonBody(req: IncomingMessage, limitBytes = DEFAULT_MAX_BODY_BYTES): Promise<BodyResult> {
  const read = await readRawBody(req, limitBytes);
  return read.ok ? parseJsonBytes(read.bytes) : read;
}
