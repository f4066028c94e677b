/**
 * Step 5: what to try when a download is not a valid video (the bad file is
 * already deleted): an authenticated download with the platform's cookies,
 * an alternative download path, and a fresh extraction. Each is an injectable
 * function; the pipeline runs them in order until one yields a valid file.
 */
import type { CookieSource } from './cookie-source.js';
import type { DownloadedFile } from './download.js';
import type { JobLog } from './events.js';
import { pickCandidate } from './extract.js';
import type { Extraction, MediaCandidate } from './messages.js';

/** What a strategy may use. */
export interface StrategyContext {
  readonly jobId: string;
  readonly extraction: Extraction;
  /** The URL whose download was invalid. */
  readonly url: string;
  /** URLs already downloaded in this run; a strategy adds what it tries. */
  readonly tried: Set<string>;
  readonly signal: AbortSignal;
  readonly log: JobLog;
  readonly cookieSource: CookieSource;
  /** Downloads and validates one URL: the valid file, or `undefined` (the invalid file already deleted). */
  attempt(url: string, headers?: Record<string, string>): Promise<DownloadedFile | undefined>;
  /** Extracts the post again (same extractor, same timeout). */
  reExtract(): Promise<Extraction>;
}

/** A named strategy: a valid file, or `undefined` to let the next one try. */
export interface MediaStrategy {
  readonly name: 'authenticated' | 'alternative' | 're-extract';
  run(context: StrategyContext): Promise<DownloadedFile | undefined>;
}

/**
 * Download the same URL again with the platform's cookies, when the cookie
 * source has some (see {@link CookieSource} for its contract). A source that
 * fails is logged by its error's code only and the strategy is skipped.
 *
 * @example
 * ```ts
 * const strategies = [authenticatedStrategy, alternativeStrategy(), reExtractStrategy];
 * ```
 */
export const authenticatedStrategy: MediaStrategy = {
  name: 'authenticated',
  async run(context) {
    const { platform } = context.extraction.account;
    let cookie: string | undefined;
    try {
      cookie = await context.cookieSource({ platform, url: context.url, signal: context.signal });
    } catch (error) {
      if (context.signal.aborted) throw error;
      // its message may quote the secret it failed on: the code only
      const code = (error as { code?: unknown }).code;
      context.log.warn('strategy:authenticated', `the cookie source failed (${typeof code === 'string' ? code : 'no code'}): skipped`);
      return undefined;
    }
    if (cookie === undefined || cookie === '') {
      context.log.info('strategy:authenticated', `no cookies for ${platform}: skipped`);
      return undefined;
    }
    return context.attempt(context.url, { cookie });
  },
};

/** Picks the alternative URLs to try; the default: the other candidates, best first. */
export type AlternativePicker = (extraction: Extraction, tried: ReadonlySet<string>) => readonly MediaCandidate[];

const otherCandidates: AlternativePicker = (extraction, tried) => {
  const remaining = new Set(tried);
  const picked: MediaCandidate[] = [];
  for (let next = pickCandidate(extraction.candidates, remaining); next; next = pickCandidate(extraction.candidates, remaining)) {
    picked.push(next);
    remaining.add(next.url);
  }
  return picked;
};

/**
 * Try an alternative download path: by default each candidate of the post not tried yet, up to `limit`.
 *
 * @example
 * ```ts
 * alternativeStrategy((extraction) => [{ url: extraction.candidates[0]!.url.replace('/hd/', '/sd/') }]);
 * ```
 */
export function alternativeStrategy(pick: AlternativePicker = otherCandidates, limit = 3): MediaStrategy {
  return {
    name: 'alternative',
    async run(context) {
      for (const candidate of pick(context.extraction, context.tried).slice(0, limit)) {
        if (context.tried.has(candidate.url)) continue;
        const file = await context.attempt(candidate.url);
        if (file) return file;
      }
      return undefined;
    },
  };
}

/**
 * Extract the post again and download a candidate not tried yet.
 *
 * @example
 * ```ts
 * declare const context: StrategyContext; // what the pipeline hands a strategy
 * const file = await reExtractStrategy.run(context);
 * ```
 */
export const reExtractStrategy: MediaStrategy = {
  name: 're-extract',
  async run(context) {
    const fresh = await context.reExtract();
    const next = pickCandidate(fresh.candidates, context.tried);
    if (next === undefined) {
      context.log.warn('strategy:re-extract', 'the fresh extraction offers no candidate not tried yet');
      return undefined;
    }
    return context.attempt(next.url);
  },
};

/** The default order: authenticated, alternative, re-extract. */
export const DEFAULT_STRATEGIES: readonly MediaStrategy[] = [authenticatedStrategy, alternativeStrategy(), reExtractStrategy];
