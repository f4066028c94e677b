/**
 * The media pipeline's errors. Each carries a literal `code` and says whether
 * the failure is worth another attempt (`retryable`): 5xx answers, transport
 * errors, truncated bodies and timeouts are; a refused URL, a body over the
 * cap, a 4xx answer or a cancel are not.
 */
import { errorClass, StewardError, type StewardErrorOptions } from '../../errors.js';

/** Options of a media error: whether another attempt could succeed. */
export interface MediaErrorOptions extends StewardErrorOptions {
  readonly retryable?: boolean;
}

/**
 * Base of every media pipeline error.
 *
 * @example
 * ```ts
 * const worthRetrying = (err: unknown) => err instanceof MediaError && err.retryable;
 * ```
 */
export abstract class MediaError extends StewardError {
  readonly retryable: boolean;
  constructor(message: string, options: MediaErrorOptions = {}) {
    super(message, options);
    this.retryable = options.retryable ?? false;
  }
}

type MediaCtor<TCode extends string> = new (message: string, options?: MediaErrorOptions) => MediaError & { readonly code: TCode };
function mediaErrorClass<TCode extends string>(name: string, code: TCode): MediaCtor<TCode> {
  return errorClass(name, code, MediaError as unknown as abstract new (message: string, options?: StewardErrorOptions) => StewardError) as unknown as MediaCtor<TCode>;
}

/**
 * A URL (given, extracted, or a redirect target) is not `http:` or `https:`.
 *
 * @example
 * ```ts
 * assertHttpUrl('file:///etc/passwd'); // throws UnsafeUrlError (ERR_MEDIA_UNSAFE_URL)
 * ```
 */
export class UnsafeUrlError extends mediaErrorClass('UnsafeUrlError', 'ERR_MEDIA_UNSAFE_URL') {}
/**
 * A slug, job id or file name would put a write outside the downloads directory.
 *
 * @example
 * ```ts
 * pathUnder('/srv/downloads', '..', 'etc'); // throws UnsafePathError (ERR_MEDIA_UNSAFE_PATH)
 * ```
 */
export class UnsafePathError extends mediaErrorClass('UnsafePathError', 'ERR_MEDIA_UNSAFE_PATH') {}
/**
 * The extractor found no media, or the post page could not be read.
 *
 * @example
 * ```ts
 * declare const extraction: Extraction;
 * const postUrl = 'https://video.example/p/1';
 * if (extraction.candidates.length === 0) throw new ExtractFailedError(`no media candidates on ${postUrl}`);
 * ```
 */
export class ExtractFailedError extends mediaErrorClass('ExtractFailedError', 'ERR_MEDIA_EXTRACT_FAILED') {}
/**
 * A server answered with a status other than 2xx; `status` says which.
 *
 * @example
 * ```ts
 * const needsReExtract = (err: unknown) => err instanceof HttpStatusError && err.status === 403;
 * ```
 */
export class HttpStatusError extends mediaErrorClass('HttpStatusError', 'ERR_MEDIA_HTTP_STATUS') {
  status = 0;
}
/**
 * The connection failed or broke (reset, refused, DNS); retryable.
 *
 * @example
 * ```ts
 * declare const cause: Error; // what the socket failed with
 * throw new TransportError(`GET ${url} failed: ${cause.message}`, { cause, retryable: true });
 * ```
 */
export class TransportError extends mediaErrorClass('TransportError', 'ERR_MEDIA_TRANSPORT') {}
/**
 * The body ended before the `Content-Length` the server promised; retryable.
 *
 * @example
 * ```ts
 * declare const received: number;
 * declare const promised: number; // the content-length
 * if (received < promised) throw new TruncatedError(`got ${received} of ${promised} bytes`, { retryable: true });
 * ```
 */
export class TruncatedError extends mediaErrorClass('TruncatedError', 'ERR_MEDIA_TRUNCATED') {}
/**
 * The body is larger than the size cap.
 *
 * @example
 * ```ts
 * declare const received: number;
 * const maxBytes = DEFAULT_MAX_BYTES;
 * if (received > maxBytes) throw new TooLargeError(`over the ${maxBytes}-byte cap`);
 * ```
 */
export class TooLargeError extends mediaErrorClass('TooLargeError', 'ERR_MEDIA_TOO_LARGE') {}
/**
 * A step ran past its timeout (extract, download); retryable.
 *
 * @example
 * ```ts
 * throw new MediaTimeoutError(`download of ${url} exceeded 60000 ms`, { retryable: true });
 * ```
 */
export class MediaTimeoutError extends mediaErrorClass('MediaTimeoutError', 'ERR_MEDIA_TIMEOUT') {}
/**
 * The job was cancelled through its signal.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw new MediaCancelledError(`job ${jobId} cancelled`);
 * ```
 */
export class MediaCancelledError extends mediaErrorClass('MediaCancelledError', 'ERR_MEDIA_CANCELLED') {}
/**
 * Every download and strategy produced a file that is not a video.
 *
 * @example
 * ```ts
 * throw new InvalidMediaError(`job ${jobId}: text/html is not a video`);
 * ```
 */
export class InvalidMediaError extends mediaErrorClass('InvalidMediaError', 'ERR_MEDIA_INVALID') {}
/**
 * The payload of a media job does not match its schema.
 *
 * @example
 * ```ts
 * declare const payload: unknown; // as the queue delivered it
 * const parsed = MediaJobPayloadSchema.safeParse(payload);
 * if (!parsed.success) throw new InvalidMediaJobError(`job payload: ${parsed.error.message}`);
 * ```
 */
export class InvalidMediaJobError extends mediaErrorClass('InvalidMediaJobError', 'ERR_INVALID_MESSAGE') {}

/** The status of an HTTP error, with the message naming the URL (never its query: signatures are secrets). */
export function httpStatusError(status: number, url: string): InstanceType<typeof HttpStatusError> {
  const error = new HttpStatusError(`GET ${redactUrl(url)} answered ${status}`, { retryable: status >= 500 });
  error.status = status;
  return error;
}

/**
 * A URL fit for logs and errors: origin and path, query and credentials
 * dropped (signed URLs carry their signature there).
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return '<invalid url>';
  }
}
