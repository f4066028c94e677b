/**
 * The heavy steps as pool task functions (this module is loaded by pool
 * threads from `dist/`). Failures come back as data with their code and
 * `retryable`, since an error's class does not survive the thread boundary.
 */
import type { TaskChannel } from '../../pools/index.js';
import { httpDownload, type DownloadRequest } from './download.js';
import { MediaError } from './errors.js';
import { httpThumbnail, type ThumbnailRequest } from './thumbnail.js';
import { validateVideo, type ValidationRequest } from './validate.js';

/** A failure, as data. @internal */
export interface StepFailure {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly status?: number;
}

/** @internal */
export function stepFailure(error: unknown): StepFailure {
  const status = (error as { status?: unknown }).status;
  return {
    ok: false,
    code: error instanceof MediaError ? error.code : 'ERR_MEDIA_FAILED',
    message: (error as Error).message ?? String(error),
    retryable: error instanceof MediaError && error.retryable,
    ...(typeof status === 'number' ? { status } : {}),
  };
}

/**
 * The download step on a thread; progress is `[received, total]` (total -1 when unknown), at most every 64 KiB.
 * @internal
 */
export async function mediaDownload(request: DownloadRequest, channel?: TaskChannel<readonly [number, number]>) {
  const controller = new AbortController();
  let reported = 0;
  try {
    const file = await httpDownload(request, {
      signal: controller.signal,
      onProgress: (received, total) => {
        if (received - reported < 65_536 && received !== total) return;
        reported = received;
        channel?.progress([received, total ?? -1]).catch(() => controller.abort());
      },
    });
    return { ok: true as const, file };
  } catch (error) {
    return stepFailure(error);
  }
}

/** The validate step on a thread. @internal */
export async function mediaValidate(request: ValidationRequest) {
  return validateVideo(request);
}

/** The thumbnail step on a thread. @internal */
export async function mediaThumbnail(request: ThumbnailRequest) {
  return httpThumbnail(request, { signal: new AbortController().signal });
}
