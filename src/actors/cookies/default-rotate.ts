/**
 * Worker-thread code of the default provider. Everything it needs comes in
 * its input (provider config and current cookie): it reads no config, no
 * store, no singleton. Messages name keys and HTTP statuses, never values.
 */
import { applySetCookie } from './cookie-string.js';
import type { RotateInput, RotateResult } from './messages.js';

/**
 * Rotates by calling the service with the current cookie and taking the new
 * values from `Set-Cookie`; validates by requesting the validate URL.
 *
 * @example
 * ```ts
 * const result = await rotateCookie({ provider, cookie: 'sid=abc', attemptNumber: 1 });
 * ```
 */
export async function rotateCookie(input: RotateInput): Promise<RotateResult> {
  const { provider, cookie } = input;
  const rotated = await call(provider.rotateUrl, 'POST', cookie, provider.requestTimeoutMs);
  if (!rotated.ok) return rotated.result;
  const { response } = rotated;
  if (response.status === 401 || response.status === 403) {
    return { status: 'validation_failed', message: `${provider.service} refused the current cookie (HTTP ${response.status}): it is stale or past the grace window`, meta: { httpStatus: response.status, phase: 'rotate' } };
  }
  if (!response.ok) return { status: 'failed', message: `${provider.service} could not rotate (HTTP ${response.status})`, meta: { httpStatus: response.status, phase: 'rotate' } };
  const next = applySetCookie(cookie, response.headers.getSetCookie());
  const missing = provider.cookieKeys.filter((key) => !next.changed.includes(key));
  if (missing.length > 0) {
    return { status: 'failed', message: `${provider.service} answered without new values for ${missing.join(', ')}`, meta: { httpStatus: response.status, phase: 'rotate' } };
  }
  const validated = await call(provider.validateUrl, 'GET', next.cookie, provider.requestTimeoutMs);
  if (!validated.ok) return { ...validated.result, cookie: next.cookie };
  if (!validated.response.ok) {
    // The service did rotate: its new values are returned so the actor keeps the newest it was given.
    return { status: 'validation_failed', cookie: next.cookie, message: `the rotated cookie did not validate at ${provider.validateUrl} (HTTP ${validated.response.status})`, meta: { httpStatus: validated.response.status, phase: 'validate' } };
  }
  return { status: 'success', cookie: next.cookie, message: `rotated ${next.changed.join(', ')}`, meta: { httpStatus: validated.response.status } };
}

type Call = { ok: true; response: Response } | { ok: false; result: RotateResult };

async function call(url: string, method: 'GET' | 'POST', cookie: string, timeoutMs: number): Promise<Call> {
  try {
    const response = await fetch(url, { method, headers: { cookie }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.arrayBuffer(); // drain, so the connection is reused
    return { ok: true, response };
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { ok: false, result: { status: 'unreachable', message: `${method} ${url} failed: ${code}`, meta: { phase: method === 'POST' ? 'rotate' : 'validate', error: code } } };
  }
}
