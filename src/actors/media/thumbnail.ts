/**
 * Step 7: the first of the post's image URLs that really is an image (by its
 * magic bytes) is written to `<slug>/thumbnails/<jobId>.<ext>`, the extension
 * taken from the detected type, never from the URL.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';
import { TooLargeError, redactUrl } from './errors.js';
import { CREATE_NO_FOLLOW, ensureDirUnder, mediaPaths } from './safe-path.js';
import { fetchHttp } from './safe-url.js';
import { timedSignal } from './timeout.js';

const MAX_THUMBNAIL_BYTES = 16 * 1024 * 1024;

/** One thumbnail to fetch, as plain data. */
export interface ThumbnailRequest {
  readonly urls: readonly string[];
  readonly root: string;
  readonly slug: string;
  readonly jobId: string;
  readonly timeoutMs: number;
}

/** The written thumbnail, or `null` with the reasons every URL failed. */
export type ThumbnailOutcome = { readonly path: string } | { readonly path: null; readonly reasons: readonly string[] };

/**
 * Fetches a thumbnail. Injectable.
 *
 * @example
 * ```ts
 * declare function renderFrame(root: string, slug: string, jobId: string): Promise<string>; // e.g. an ffmpeg call
 * const thumbnail: Thumbnailer = async ({ root, slug, jobId }) => ({ path: await renderFrame(root, slug, jobId) });
 * ```
 */
export type Thumbnailer = (request: ThumbnailRequest, context: { readonly signal: AbortSignal }) => Promise<ThumbnailOutcome>;

/**
 * The default thumbnailer: downloads the image URLs in order until one is an image.
 *
 * @example
 * ```ts
 * declare const extraction: Extraction;
 * const outcome = await httpThumbnail({ urls: extraction.thumbnails, root: '/srv/downloads', slug: 'vimeo-ann', jobId, timeoutMs: 60_000 }, { signal });
 * if (outcome.path === null) console.warn(outcome.reasons);
 * ```
 */
export const httpThumbnail: Thumbnailer = async (request, { signal }) => {
  const paths = mediaPaths(request.root, request.slug, request.jobId);
  const reasons: string[] = [];
  for (const url of request.urls) {
    try {
      const bytes = await readImage(url, signal, request.timeoutMs);
      const type = await fileTypeFromBuffer(bytes);
      if (type === undefined || !type.mime.startsWith('image/')) {
        reasons.push(`${redactUrl(url)}: ${type?.mime ?? 'unknown type'} is not an image`);
        continue;
      }
      await ensureDirUnder(request.root, paths.thumbnailsDir);
      const target = paths.thumbnail(type.ext);
      const temp = `${target}.part`;
      try {
        await writeFile(temp, bytes, { flag: CREATE_NO_FOLLOW });
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return { path: target };
    } catch (error) {
      if (signal.aborted) throw error;
      reasons.push(`${redactUrl(url)}: ${(error as Error).message}`);
    }
  }
  return { path: null, reasons };
};

async function readImage(url: string, signal: AbortSignal, timeoutMs: number): Promise<Buffer> {
  const timed = timedSignal(signal, timeoutMs, `thumbnail ${redactUrl(url)}`);
  try {
    const response = await fetchHttp(url, { signal: timed.signal });
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > MAX_THUMBNAIL_BYTES) {
        response.destroy();
        throw new TooLargeError(`thumbnail ${redactUrl(url)} is over ${MAX_THUMBNAIL_BYTES} bytes`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  } finally {
    timed.dispose();
  }
}
