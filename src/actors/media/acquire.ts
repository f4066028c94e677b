/**
 * Getting one valid file for a job: download with retries (5xx, transport,
 * truncation, timeouts, with backoff and jitter), validate, and on HTTP 403
 * go back to the extractor for a candidate not tried yet. A 4xx other than
 * 403 is final. Invalid files are deleted before anything else is tried.
 * @internal
 */
import { rm } from 'node:fs/promises';
import type { DownloadedFile } from './download.js';
import { ExtractFailedError, HttpForbiddenError, MediaError, redactUrl } from './errors.js';
import type { JobLog } from './events.js';
import { extractWithTimeout, pickCandidate } from './extract.js';
import type { Extraction } from './messages.js';
import type { MediaPaths } from './safe-path.js';
import type { ResolvedMediaOptions } from './options.js';

/** One job's download state: the current extraction and every URL tried. @internal */
export class MediaAcquirer {
  readonly tried = new Set<string>();
  private reExtracts = 0;
  /** The mime the validator detected for the last valid file. */
  mime = '';
  /** Downloads started, retries included. */
  downloads = 0;

  constructor(
    private readonly options: ResolvedMediaOptions,
    readonly postUrl: string,
    public extraction: Extraction,
    private readonly paths: MediaPaths,
    private readonly signal: AbortSignal,
    private readonly log: JobLog,
    private readonly onBytes: (received: number, total: number | undefined) => void,
  ) {}

  /** Extracts again, counting against `maxReExtracts`. */
  async reExtract(): Promise<Extraction> {
    this.reExtracts += 1;
    this.log.info('extract', 're-extracting', { count: this.reExtracts });
    this.extraction = await extractWithTimeout(this.options.steps.extract, this.postUrl, { signal: this.signal, timeoutMs: this.options.extractTimeoutMs });
    return this.extraction;
  }

  /** A valid file from `url` (or, after 403s, from a fresh untried candidate), or `undefined` when it is not a video. */
  async acquire(url: string, headers?: Record<string, string>): Promise<DownloadedFile | undefined> {
    for (let current = url; ; ) {
      try {
        return await this.validOrNothing(current, headers);
      } catch (error) {
        if (!(error instanceof HttpForbiddenError) || this.reExtracts >= this.options.maxReExtracts) throw error;
        this.log.warn('download', `403 from ${redactUrl(current)}: re-extracting for a candidate not tried yet`);
        const next = pickCandidate((await this.reExtract()).candidates, this.tried);
        if (next === undefined) throw new ExtractFailedError(`${redactUrl(this.postUrl)}: every candidate answered 403 or was tried`, { cause: error });
        current = next.url;
      }
    }
  }

  private async validOrNothing(url: string, headers?: Record<string, string>): Promise<DownloadedFile | undefined> {
    this.tried.add(url);
    const file = await this.downloadWithRetry(url, headers);
    const verdict = await this.options.steps.validate({
      path: file.path,
      contentType: file.contentType,
      minBytes: this.options.minBytes,
      bytes: file.bytes,
      ...(file.head ? { head: file.head } : {}),
    });
    if (verdict.valid) {
      this.mime = verdict.mime;
      return file;
    }
    await rm(file.path, { force: true });
    this.log.warn('validate', `invalid download from ${redactUrl(url)}: ${verdict.reason}`, { bytes: file.bytes });
    return undefined;
  }

  private async downloadWithRetry(url: string, headers?: Record<string, string>): Promise<DownloadedFile> {
    const { retry, steps } = this.options;
    for (let attempt = 1; ; attempt++) {
      this.downloads += 1;
      try {
        return await steps.download(
          {
            url,
            partPath: this.paths.part,
            outputPath: this.paths.output,
            maxBytes: this.options.maxBytes,
            timeoutMs: this.options.downloadTimeoutMs,
            ...(headers ? { headers } : {}),
          },
          { signal: this.signal, onProgress: this.onBytes },
        );
      } catch (error) {
        const retryable = error instanceof MediaError && error.retryable && !this.signal.aborted;
        if (!retryable || attempt >= retry.attempts) throw error;
        const delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)) * (0.5 + steps.random() / 2);
        this.log.warn('download', `attempt ${attempt} of ${redactUrl(url)} failed (${(error as MediaError).code}), retrying in ${Math.round(delay)} ms`);
        await steps.sleep(delay, this.signal);
      }
    }
  }
}
