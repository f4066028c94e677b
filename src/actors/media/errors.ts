/**
 * The media pipeline's errors. Each carries a literal `code` and says whether
 * the failure is worth another attempt (`retryable`): 5xx answers, transport
 * errors, truncated bodies and timeouts are; a refused URL, a body over the
 * cap, a 4xx answer or a cancel are not. An HTTP answer's code says its
 * class of status, so a queue's never-retry codes can name client errors
 * apart from server errors.
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

type MediaCtor<TCode extends string, TBase extends MediaError = MediaError> = new (message: string, options?: MediaErrorOptions) => TBase & { readonly code: TCode };
type AnyBase = abstract new (message: string, options?: StewardErrorOptions) => StewardError;
function mediaErrorClass<TCode extends string>(name: string, code: TCode): MediaCtor<TCode>;
function mediaErrorClass<TCode extends string, TBase extends MediaError>(name: string, code: TCode, base: abstract new (message: string, options?: MediaErrorOptions) => TBase): MediaCtor<TCode, TBase>;
function mediaErrorClass(name: string, code: string, base: unknown = MediaError): unknown {
  return errorClass(name, code, base as AnyBase);
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
 * Base of the errors for an HTTP answer other than 2xx (a redirect is
 * followed); `status` says which, the subclass's `code` its class.
 *
 * @example
 * ```ts
 * const answered = (err: unknown) => (err instanceof HttpStatusError ? err.status : undefined);
 * ```
 */
export abstract class HttpStatusError extends MediaError {
  status = 0;
}
/**
 * A 403: the URL's token or signature was refused; the pipeline asks the extractor for a fresh candidate.
 *
 * @example
 * ```ts
 * const needsReExtract = (err: unknown) => err instanceof HttpForbiddenError;
 * ```
 */
export class HttpForbiddenError extends mediaErrorClass('HttpForbiddenError', 'ERR_MEDIA_HTTP_FORBIDDEN', HttpStatusError) {}
/**
 * A 404: the post or the file is not there; final.
 *
 * @example
 * ```ts
 * const retry = { attempts: 5, noRetryCodes: ['ERR_MEDIA_HTTP_NOT_FOUND', 'ERR_MEDIA_HTTP_CLIENT'] };
 * ```
 */
export class HttpNotFoundError extends mediaErrorClass('HttpNotFoundError', 'ERR_MEDIA_HTTP_NOT_FOUND', HttpStatusError) {}
/**
 * Any other 4xx: the request itself was refused; final.
 *
 * @example
 * ```ts
 * const rateLimited = (err: unknown) => err instanceof HttpClientError && err.status === 429;
 * ```
 */
export class HttpClientError extends mediaErrorClass('HttpClientError', 'ERR_MEDIA_HTTP_CLIENT', HttpStatusError) {}
/**
 * A 5xx: the server failed; retryable.
 *
 * @example
 * ```ts
 * const serverSide = (err: unknown) => err instanceof HttpServerError; // err.retryable is true
 * ```
 */
export class HttpServerError extends mediaErrorClass('HttpServerError', 'ERR_MEDIA_HTTP_SERVER', HttpStatusError) {}
/**
 * A status outside 2xx, 4xx and 5xx that ends the request (1xx, a 3xx without `Location`); final.
 *
 * @example
 * ```ts
 * const notModified = (err: unknown) => err instanceof HttpUnexpectedStatusError && err.status === 304;
 * ```
 */
export class HttpUnexpectedStatusError extends mediaErrorClass('HttpUnexpectedStatusError', 'ERR_MEDIA_HTTP_STATUS', HttpStatusError) {}

/** The HTTP error class of each code, for rebuilding one that crossed a thread boundary. @internal */
export const HTTP_STATUS_ERRORS = {
  ERR_MEDIA_HTTP_FORBIDDEN: HttpForbiddenError,
  ERR_MEDIA_HTTP_NOT_FOUND: HttpNotFoundError,
  ERR_MEDIA_HTTP_CLIENT: HttpClientError,
  ERR_MEDIA_HTTP_SERVER: HttpServerError,
  ERR_MEDIA_HTTP_STATUS: HttpUnexpectedStatusError,
} as const;

function httpErrorClassOf(status: number): (typeof HTTP_STATUS_ERRORS)[keyof typeof HTTP_STATUS_ERRORS] {
  if (status === 403) return HttpForbiddenError;
  if (status === 404) return HttpNotFoundError;
  if (status >= 400 && status < 500) return HttpClientError;
  if (status >= 500 && status < 600) return HttpServerError;
  return HttpUnexpectedStatusError;
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

/** The error of an HTTP answer by its status, with the message naming the URL (never its query: signatures are secrets). */
export function httpStatusError(status: number, url: string): HttpStatusError {
  const ErrorClass = httpErrorClassOf(status);
  const error = new ErrorClass(`GET ${redactUrl(url)} answered ${status}`, { retryable: ErrorClass === HttpServerError });
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
