/**
 * Step 3: stream one URL to `<jobId>.mp4.part`, renamed to `<jobId>.mp4`
 * once every promised byte is on disk. Whatever goes wrong (cap, timeout,
 * cancel, a body shorter than its `Content-Length`, a broken connection),
 * the `.part` file is removed before the error is thrown.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { MediaError, TooLargeError, TransportError, TruncatedError, UnsafePathError, redactUrl } from './errors.js';
import { CREATE_NO_FOLLOW } from './safe-path.js';
import { abortReason, fetchHttp } from './safe-url.js';
import { timedSignal } from './timeout.js';

/** The default size cap: 2 GiB. */
export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;
/** The default per-download timeout: 30 minutes. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 30 * 60_000;

/** One download, as plain data (it can cross a thread boundary). */
export interface DownloadRequest {
  readonly url: string;
  readonly partPath: string;
  readonly outputPath: string;
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a finished download reports. */
export interface DownloadedFile {
  readonly path: string;
  readonly bytes: number;
  readonly contentType: string;
  readonly url: string;
  /** The first bytes written (up to {@link HEAD_BYTES}), so validation need not read the file again. */
  readonly head?: Uint8Array | undefined;
}

/** How many leading bytes a download keeps for the validator: what `file-type` reads. */
export const HEAD_BYTES = 4100;

/** Cancel and progress of one download. */
export interface DownloadContext {
  readonly signal: AbortSignal;
  /** Bytes so far, and the total when the server sent `Content-Length`. */
  readonly onProgress?: (received: number, total: number | undefined) => void;
}

/**
 * Downloads one URL to a file. Injectable.
 *
 * @example
 * ```ts
 * const { part: partPath, output: outputPath } = mediaPaths('/srv/downloads', 'vimeo-ann', 'job-1');
 * const file = await httpDownload({ url, partPath, outputPath, maxBytes: 1 << 30, timeoutMs: 600_000 }, { signal });
 * ```
 */
export type Downloader = (request: DownloadRequest, context: DownloadContext) => Promise<DownloadedFile>;

/**
 * The default downloader: `fetch`, redirects checked hop by hop, streamed to the `.part` file.
 *
 * @example
 * ```ts
 * await httpDownload(
 *   { url, partPath: 'd/a/j.mp4.part', outputPath: 'd/a/j.mp4', maxBytes: 1e9, timeoutMs: 6e5 },
 *   { signal, onProgress: (n, total) => console.log(`${n} of ${total ?? '?'} bytes`) },
 * );
 * ```
 */
export const httpDownload: Downloader = async (request, { signal, onProgress }) => {
  const timed = timedSignal(signal, request.timeoutMs, `download of ${redactUrl(request.url)}`);
  let promised: number | undefined;
  let received = 0;
  try {
    const response = await fetchHttp(request.url, { signal: timed.signal, ...(request.headers ? { headers: request.headers } : {}) });
    const length = response.headers['content-length'] ?? null;
    promised = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
    if (promised !== undefined && promised > request.maxBytes) {
      response.destroy();
      throw new TooLargeError(`${redactUrl(request.url)} is ${promised} bytes, over the ${request.maxBytes}-byte cap`);
    }
    const file = await open(request.partPath, CREATE_NO_FOLLOW).catch((error: unknown) => {
      response.destroy();
      if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
      throw new UnsafePathError(`refused: ${request.partPath} is a symbolic link`, { cause: error });
    });
    const head: Buffer[] = [];
    try {
      // chunks go down in batches: one write per WRITE_BATCH_BYTES instead of one per socket read
      let batch: Buffer[] = [];
      let batched = 0;
      for await (const chunk of response as AsyncIterable<Buffer>) {
        if (received < HEAD_BYTES) head.push(chunk.subarray(0, HEAD_BYTES - received));
        received += chunk.byteLength;
        if (received > request.maxBytes) throw new TooLargeError(`${redactUrl(request.url)} sent more than the ${request.maxBytes}-byte cap`);
        batch.push(chunk);
        batched += chunk.byteLength;
        if (batched >= WRITE_BATCH_BYTES) {
          await writeAll(file, batch, batched);
          batch = [];
          batched = 0;
        }
        onProgress?.(received, promised);
      }
      if (batched > 0) await writeAll(file, batch, batched);
    } finally {
      await file.close();
    }
    if (promised !== undefined && received < promised) {
      throw new TruncatedError(`${redactUrl(request.url)} ended after ${received} of ${promised} bytes`, { retryable: true });
    }
    await rename(request.partPath, request.outputPath);
    return { path: request.outputPath, bytes: received, contentType: response.headers['content-type'] ?? '', url: request.url, head: Buffer.concat(head) };
  } catch (error) {
    await rm(request.partPath, { force: true });
    throw classify(error, timed.signal, request.url, received, promised);
  } finally {
    timed.dispose();
  }
};

const WRITE_BATCH_BYTES = 512 * 1024;

async function writeAll(file: FileHandle, chunks: readonly Buffer[], bytes: number): Promise<void> {
  const { bytesWritten } = await file.writev(chunks);
  if (bytesWritten !== bytes) throw new Error(`short write: ${bytesWritten} of ${bytes} bytes`);
}

function classify(error: unknown, signal: AbortSignal, url: string, received: number, promised: number | undefined): Error {
  if (signal.aborted) return abortReason(signal);
  if (error instanceof MediaError) return error;
  if (promised !== undefined && received < promised) {
    return new TruncatedError(`${redactUrl(url)} ended after ${received} of ${promised} bytes`, { cause: error, retryable: true });
  }
  return new TransportError(`download of ${redactUrl(url)} failed: ${(error as Error).message}`, { cause: error, retryable: true });
}
