/**
 * The pipeline's configuration: where files go, the limits, and the
 * injectable steps. Everything has a default but the downloads directory.
 */
import { realClock, realRandom } from '../../index.js';
import type { AccountDeriver } from './account.js';
import { deriveAccount } from './account.js';
import { DEFAULT_DOWNLOAD_TIMEOUT_MS, DEFAULT_MAX_BYTES, httpDownload, type Downloader } from './download.js';
import type { MediaLog } from './events.js';
import { DEFAULT_EXTRACT_TIMEOUT_MS, httpExtractor, type Extractor } from './extract.js';
import { DEFAULT_EXPIRY_MARGIN_MS } from './signed-url.js';
import { NO_COOKIES, type CookieSource } from './cookie-source.js';
import { DEFAULT_STRATEGIES, type MediaStrategy } from './strategies.js';
import { httpThumbnail, type Thumbnailer } from './thumbnail.js';
import { DEFAULT_MIN_BYTES, validateVideo, type Validator } from './validate.js';

/** Retries of one download on 5xx, transport errors, truncation and timeouts. */
export interface MediaRetryOptions {
  /** Downloads of one URL in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * The steps, each replaceable.
 *
 * @example
 * ```ts
 * declare const myPlatformExtractor: Extractor;
 * declare const vault: { cookieFor(platform: string): Promise<string | undefined> };
 * const steps: Partial<MediaSteps> = { extract: myPlatformExtractor, cookieSource: ({ platform }) => vault.cookieFor(platform) };
 * ```
 */
export interface MediaSteps {
  readonly extract: Extractor;
  readonly deriveAccount: AccountDeriver;
  readonly download: Downloader;
  readonly validate: Validator;
  readonly strategies: readonly MediaStrategy[];
  readonly thumbnail: Thumbnailer;
  /** The `Cookie` header for the authenticated strategy; default {@link NO_COOKIES}. */
  readonly cookieSource: CookieSource;
  /** Waits between retries; injectable so tests and the simulator need not sleep. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly now: () => number;
  readonly random: () => number;
}

/**
 * Options of {@link runMediaJob} and {@link createMediaPipeline}.
 *
 * @example
 * ```ts
 * const cookieSource: CookieSource = cookiesByPlatform({ vimeo: 'sid=abc' });
 * const options: MediaPipelineOptions = { downloadsDir: '/srv/downloads', maxBytes: 512 * 1024 ** 2, steps: { cookieSource } };
 * ```
 */
export interface MediaPipelineOptions {
  /** The root every write lands under. */
  readonly downloadsDir: string;
  readonly maxBytes?: number;
  readonly minBytes?: number;
  readonly extractTimeoutMs?: number;
  readonly downloadTimeoutMs?: number;
  readonly thumbnailTimeoutMs?: number;
  /** How long before expiry a signed URL from an earlier attempt stops being reused. */
  readonly expiryMarginMs?: number;
  /** How many times a 403 may send the pipeline back to the extractor. */
  readonly maxReExtracts?: number;
  readonly retry?: Partial<MediaRetryOptions>;
  readonly steps?: Partial<MediaSteps>;
  readonly log?: MediaLog;
}

/** @internal */
export interface ResolvedMediaOptions {
  readonly downloadsDir: string;
  readonly maxBytes: number;
  readonly minBytes: number;
  readonly extractTimeoutMs: number;
  readonly downloadTimeoutMs: number;
  readonly thumbnailTimeoutMs: number;
  readonly expiryMarginMs: number;
  readonly maxReExtracts: number;
  readonly retry: MediaRetryOptions;
  readonly steps: MediaSteps;
  readonly log: MediaLog;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    // a retry backoff on real I/O, like the download timeout itself
    const timer = realClock.setTimer(ms, done);
    realClock.keepAlive?.(timer, true); // a backoff between attempts must not let the process exit
    function done() {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      realClock.clearTimer(timer);
      reject(signal.reason as Error);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** The default steps. */
export const DEFAULT_MEDIA_STEPS: MediaSteps = Object.freeze({
  extract: httpExtractor,
  deriveAccount,
  download: httpDownload,
  validate: validateVideo,
  strategies: DEFAULT_STRATEGIES,
  thumbnail: httpThumbnail,
  cookieSource: NO_COOKIES,
  sleep,
  now: () => realClock.now(),
  random: () => realRandom.next(),
});

/** @internal */
export function resolveMediaOptions(options: MediaPipelineOptions): ResolvedMediaOptions {
  return {
    downloadsDir: options.downloadsDir,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    minBytes: options.minBytes ?? DEFAULT_MIN_BYTES,
    extractTimeoutMs: options.extractTimeoutMs ?? DEFAULT_EXTRACT_TIMEOUT_MS,
    downloadTimeoutMs: options.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS,
    thumbnailTimeoutMs: options.thumbnailTimeoutMs ?? 60_000,
    expiryMarginMs: options.expiryMarginMs ?? DEFAULT_EXPIRY_MARGIN_MS,
    maxReExtracts: options.maxReExtracts ?? 2,
    retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 10_000, ...options.retry },
    steps: { ...DEFAULT_MEDIA_STEPS, ...options.steps },
    log: options.log ?? (() => {}),
  };
}
