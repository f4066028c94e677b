/**
 * Step 4: is the file a video? The server's content type must say so (or be
 * the neutral `application/octet-stream`), it must be at least 10 KB, and its
 * container's magic bytes, read by `file-type`, must be a video format. An
 * HTML error page served with 200 fails all three.
 */
import { stat } from 'node:fs/promises';
import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';

/** Files smaller than this are error pages or stubs, not media. */
export const DEFAULT_MIN_BYTES = 10 * 1024;
const NEUTRAL_TYPES = new Set(['application/octet-stream', 'binary/octet-stream']);

/** What to check, as plain data. */
export interface ValidationRequest {
  readonly path: string;
  readonly contentType: string;
  readonly minBytes: number;
  /** The file's size and first bytes when the downloader kept them; else the file is read. */
  readonly bytes?: number;
  readonly head?: Uint8Array | undefined;
}

/** The verdict. */
export type Validation = { readonly valid: true; readonly mime: string; readonly ext: string } | { readonly valid: false; readonly reason: string };

/**
 * Checks a downloaded file. Injectable.
 *
 * @example
 * ```ts
 * const verdict = await validateVideo({ path, contentType: 'video/mp4', minBytes: 10_240 });
 * if (!verdict.valid) console.warn(verdict.reason);
 * ```
 */
export type Validator = (request: ValidationRequest) => Promise<Validation>;

/**
 * The default validator.
 *
 * @example
 * ```ts
 * await validateVideo({ path: 'downloads/a/j.mp4', contentType: 'text/html', minBytes: 10_240 }); // { valid: false, reason: 'content type text/html is not a video' }
 * ```
 */
export const validateVideo: Validator = async ({ path, contentType, minBytes, bytes, head }) => {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (!type.startsWith('video/') && !NEUTRAL_TYPES.has(type)) return { valid: false, reason: `content type ${type || '(none)'} is not a video` };
  const size = bytes ?? (await stat(path)).size;
  if (size < minBytes) return { valid: false, reason: `${size} bytes is under the ${minBytes}-byte minimum` };
  const detected = head !== undefined && head.byteLength > 0 ? await fileTypeFromBuffer(head) : await fileTypeFromFile(path);
  if (detected === undefined) return { valid: false, reason: 'no known container in the magic bytes' };
  if (!detected.mime.startsWith('video/')) return { valid: false, reason: `magic bytes say ${detected.mime}, not a video` };
  return { valid: true, mime: detected.mime, ext: detected.ext };
};
