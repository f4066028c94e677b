/**
 * One attempt's edges: what is wrong with a cookie's config before a task
 * can start, and a task that ended without a result, both as outcomes with
 * clear messages (never silence, never a value).
 */
import type { TaskRunError } from '../../pools/index.js';
import { missingKeys } from './cookie-string.js';
import type { CookieProvider } from './providers.js';
import type { RotateResult } from './schemas.js';

/**
 * Why an attempt cannot start, or `undefined` if it can: no provider for the
 * service, or a cookie without the keys its provider rotates.
 * @internal
 */
export function configProblem(cookieId: string, service: string, provider: CookieProvider | undefined, cookie: string): string | undefined {
  if (!provider) return `no provider is registered for service '${service}' (cookie '${cookieId}'): register one with providers.register({ service: '${service}', ... })`;
  const lacking = missingKeys(cookie, provider.config.cookieKeys);
  if (lacking.length > 0) return `cookie '${cookieId}' has no ${lacking.join(', ')}: the provider of '${service}' rotates ${provider.config.cookieKeys.join(', ')}; register the full cookie`;
  return undefined;
}

/** A task that ended without a result (thread crash, timeout, pool refusal), as a result; only its code is kept. @internal */
export function taskFailure(error: TaskRunError | unknown): RotateResult {
  const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'ERR_UNKNOWN';
  return { status: code === 'ERR_TASK_TIMEOUT' ? 'unreachable' : 'failed', message: `the rotate task ended without a result (${code})`, meta: { error: code } };
}
