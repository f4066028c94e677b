/** The media pipeline: extract, download, validate, strategies, thumbnail, as injectable steps. */
export { createMediaPipeline, runMediaJob, MediaJobFailedError } from './pipeline.js';
export type { MediaJobContext, MediaPipeline } from './pipeline.js';
export { mediaQueueHandler } from './queue-handler.js';
export type { MediaQueueHandler, MediaQueueHandlerOptions, MediaQueueJobContext } from './queue-handler.js';
export { DEFAULT_MEDIA_STEPS } from './options.js';
export type { MediaPipelineOptions, MediaRetryOptions, MediaSteps } from './options.js';
export { httpExtractor, parsePostPage, pickCandidate, DEFAULT_EXTRACT_TIMEOUT_MS } from './extract.js';
export type { ExtractContext, Extractor } from './extract.js';
export { deriveAccount } from './account.js';
export type { AccountDeriver } from './account.js';
export { httpDownload, DEFAULT_MAX_BYTES, DEFAULT_DOWNLOAD_TIMEOUT_MS, HEAD_BYTES } from './download.js';
export type { DownloadContext, DownloadedFile, DownloadRequest, Downloader } from './download.js';
export { validateVideo, DEFAULT_MIN_BYTES } from './validate.js';
export type { Validation, ValidationRequest, Validator } from './validate.js';
export { authenticatedStrategy, alternativeStrategy, reExtractStrategy, DEFAULT_STRATEGIES } from './strategies.js';
export type { AlternativePicker, MediaStrategy, StrategyContext } from './strategies.js';
export { cookiesByPlatform, NO_COOKIES } from './cookie-source.js';
export type { CookieRequest, CookieSource } from './cookie-source.js';
export { httpThumbnail } from './thumbnail.js';
export type { ThumbnailOutcome, ThumbnailRequest, Thumbnailer } from './thumbnail.js';
export { poolSteps, mediaDownloadTask, mediaValidateTask, mediaThumbnailTask } from './pool-steps.js';
export { signedUrlExpiry, isReusable, DEFAULT_EXPIRY_MARGIN_MS } from './signed-url.js';
export { safeSegment, pathUnder, mediaPaths, ensureDirUnder } from './safe-path.js';
export type { MediaPaths } from './safe-path.js';
export { assertHttpUrl, fetchHttp } from './safe-url.js';
export type { FetchHttpOptions } from './safe-url.js';
export type { MediaEvent, MediaLog } from './events.js';
export {
  AccountSchema,
  ExtractionSchema,
  MediaCandidateSchema,
  MediaJobFailureSchema,
  MediaJobOutcomeSchema,
  MediaJobPayloadSchema,
  MediaJobResultSchema,
  MediaProgressSchema,
  PreviousExtractionSchema,
} from './messages.js';
export type { Account, Extraction, MediaCandidate, MediaJobFailure, MediaJobOutcome, MediaJobPayload, MediaJobResult, PreviousExtraction } from './messages.js';
export {
  ExtractFailedError,
  HttpClientError,
  HttpForbiddenError,
  HttpNotFoundError,
  HttpServerError,
  HttpStatusError,
  HttpUnexpectedStatusError,
  InvalidMediaError,
  InvalidMediaJobError,
  MediaCancelledError,
  MediaError,
  MediaTimeoutError,
  TooLargeError,
  TransportError,
  TruncatedError,
  UnsafePathError,
  UnsafeUrlError,
} from './errors.js';
export type { MediaErrorOptions } from './errors.js';
