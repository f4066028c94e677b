/**
 * Step 2: whose media it is, and the directory name it goes under.
 */
import type { Account, Extraction } from './messages.js';
import { safeSegment } from './safe-path.js';

/**
 * Derives the account and slug from an extraction. Injectable.
 *
 * @example
 * ```ts
 * const derive: AccountDeriver = (extraction) => ({ account: extraction.account, slug: extraction.account.handle });
 * ```
 */
export type AccountDeriver = (extraction: Extraction, postUrl: string) => { readonly account: Account; readonly slug: string };

/**
 * The default: the extractor's account, and the slug `<platform>-<handle>`
 * made one safe path segment.
 *
 * @example
 * ```ts
 * const candidates: MediaCandidate[] = [{ url: 'https://cdn.example/v.mp4' }];
 * deriveAccount({ account: { platform: 'Vimeo', handle: '../root', displayName: 'x' }, candidates, thumbnails: [] }, url).slug; // 'vimeo-root-…'
 * ```
 */
export const deriveAccount: AccountDeriver = (extraction) => {
  const { account } = extraction;
  return { account, slug: safeSegment(`${account.platform}-${account.handle}`, 'account') };
};
