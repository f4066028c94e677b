/**
 * The heavy steps (download, validate, thumbnail) as pool tasks: pass
 * `poolSteps(pool)` as the pipeline's `steps` and the bytes move on the
 * pool's threads while the runner stays on the caller's. Cancel stops the
 * thread; the runner then removes the `.part` file the thread could not.
 */
import { z } from 'zod';
import { defineTask, type TaskPool } from '../../pools/index.js';
import type { Downloader } from './download.js';
import {
  HTTP_STATUS_ERRORS,
  type HttpStatusError,
  InvalidMediaError,
  MediaCancelledError,
  MediaTimeoutError,
  TooLargeError,
  TransportError,
  TruncatedError,
  UnsafePathError,
  UnsafeUrlError,
  type MediaError,
} from './errors.js';
import type { MediaSteps } from './options.js';
import { abortReason } from './safe-url.js';
import type { Thumbnailer } from './thumbnail.js';
import type { Validator } from './validate.js';

// threads load compiled code only: from a .ts source (vitest), point at its build, as the pool's own worker entry does
const taskModule = import.meta.url.endsWith('.ts')
  ? new URL('../../../dist/src/actors/media/worker-tasks.js', import.meta.url)
  : new URL('./worker-tasks.js', import.meta.url);
const failureSchema = z.object({ ok: z.literal(false), code: z.string(), message: z.string(), retryable: z.boolean(), status: z.number().optional() });

/** The download step's task. */
export const mediaDownloadTask = defineTask({
  name: 'mediaDownload',
  module: taskModule,
  input: z.object({
    url: z.string(),
    partPath: z.string(),
    outputPath: z.string(),
    maxBytes: z.number(),
    timeoutMs: z.number(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  result: z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), file: z.object({ path: z.string(), bytes: z.number(), contentType: z.string(), url: z.string(), head: z.custom<Uint8Array>((v) => v instanceof Uint8Array).optional() }) }),
    failureSchema,
  ]),
  progress: z.tuple([z.number(), z.number()]).readonly(),
});
/** The validate step's task. */
export const mediaValidateTask = defineTask({
  name: 'mediaValidate',
  module: taskModule,
  input: z.object({ path: z.string(), contentType: z.string(), minBytes: z.number(), bytes: z.number().optional(), head: z.custom<Uint8Array>((v) => v instanceof Uint8Array).optional() }),
  result: z.union([z.object({ valid: z.literal(true), mime: z.string(), ext: z.string() }), z.object({ valid: z.literal(false), reason: z.string() })]),
});
/** The thumbnail step's task. */
export const mediaThumbnailTask = defineTask({
  name: 'mediaThumbnail',
  module: taskModule,
  input: z.object({ urls: z.array(z.string()), root: z.string(), slug: z.string(), jobId: z.string(), timeoutMs: z.number() }),
  result: z.union([z.object({ path: z.string() }), z.object({ path: z.null(), reasons: z.array(z.string()) })]),
});

const ERRORS: Record<string, new (message: string, options?: { retryable?: boolean }) => MediaError> = {
  ...HTTP_STATUS_ERRORS,
  ERR_MEDIA_TRANSPORT: TransportError,
  ERR_MEDIA_TRUNCATED: TruncatedError,
  ERR_MEDIA_TOO_LARGE: TooLargeError,
  ERR_MEDIA_TIMEOUT: MediaTimeoutError,
  ERR_MEDIA_CANCELLED: MediaCancelledError,
  ERR_MEDIA_UNSAFE_URL: UnsafeUrlError,
  ERR_MEDIA_UNSAFE_PATH: UnsafePathError,
};

/**
 * Download, validate and thumbnail steps that run on `pool`.
 *
 * @example
 * ```ts
 * const pool = new PiscinaPool({ name: 'media', maxThreads: 2 });
 * const pipeline = createMediaPipeline({ downloadsDir: '/var/lib/app/media', steps: poolSteps(pool) });
 * ```
 */
export function poolSteps(pool: TaskPool): Pick<MediaSteps, 'download' | 'validate' | 'thumbnail'> {
  const download: Downloader = async (request, { signal, onProgress }) => {
    let outcome;
    try {
      outcome = await pool.run(mediaDownloadTask, { ...request, ...(request.headers ? { headers: { ...request.headers } } : {}) }, {
        signal,
        timeoutMs: Infinity, // the download enforces its own timeout, with a retryable error
        ...(onProgress ? { onProgress: ([received, total]: readonly [number, number]) => onProgress(received, total < 0 ? undefined : total) } : {}),
      });
    } catch (error) {
      if (signal.aborted) throw abortReason(signal);
      throw new TransportError(`download task failed: ${(error as Error).message}`, { retryable: true });
    }
    if (outcome.ok) return outcome.file;
    const ErrorClass = ERRORS[outcome.code] ?? InvalidMediaError;
    const error = new ErrorClass(outcome.message, { retryable: outcome.retryable });
    if (outcome.status !== undefined) (error as HttpStatusError).status = outcome.status;
    throw error;
  };
  const validate: Validator = (request) => pool.run(mediaValidateTask, request);
  const thumbnail: Thumbnailer = (request, { signal }) => pool.run(mediaThumbnailTask, { ...request, urls: [...request.urls] }, { signal, timeoutMs: Infinity });
  return { download, validate, thumbnail };
}
