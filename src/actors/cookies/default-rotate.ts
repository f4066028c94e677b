/**
 * The default provider's rotate task, run on a `rotate` pool thread (loaded
 * from `dist/`): call the service with the current cookie, take the new
 * values from `Set-Cookie`, then request the validate URL with the new
 * cookie. Everything it needs is in its input; messages name keys and HTTP
 * statuses, never a value.
 */
import { applySetCookie, missingKeys } from './cookie-string.js';
import type { RotateInput, RotateResult } from './schemas.js';

/**
 * Rotates one cookie against its service over HTTP.
 * @internal
 */
export async function rotateCookie({ provider, cookie }: RotateInput): Promise<RotateResult> {
  const rotateUrl = provider.rotateUrl ?? provider.validateUrl;
  const rotated = await request(rotateUrl, 'POST', cookie, provider.requestTimeoutMs);
  if (!rotated.ok) return rotated.result('rotate');
  const { cookie: next, setKeys } = applySetCookie(cookie, rotated.setCookie);
  const meta = { rotateStatus: rotated.status, setKeys: setKeys.join(',') };
  const unset = provider.cookieKeys.filter((key) => !setKeys.includes(key));
  if (unset.length === provider.cookieKeys.length) {
    return { status: 'failed', message: `the service answered ${rotated.status} but set none of ${provider.cookieKeys.join(', ')}`, meta };
  }
  const lacking = missingKeys(next, provider.cookieKeys);
  if (lacking.length > 0) return { status: 'failed', message: `the rotated cookie lacks ${lacking.join(', ')}`, meta };
  const validated = await request(provider.validateUrl, 'GET', next, provider.requestTimeoutMs);
  // The service has issued the new value: it is kept even when validation fails, so an older one never wins.
  if (!validated.ok) return { ...validated.result('validate'), cookie: next, meta: { ...meta, ...validated.meta } };
  return { status: 'success', message: `rotated ${setKeys.join(', ')}; validated (HTTP ${validated.status})`, cookie: next, meta: { ...meta, validateStatus: validated.status } };
}

type Answer =
  | { readonly ok: true; readonly status: number; readonly setCookie: string[] }
  | { readonly ok: false; readonly meta: Record<string, string | number>; readonly result: (step: string) => RotateResult };

async function request(url: string, method: 'GET' | 'POST', cookie: string, timeoutMs: number): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, { method, headers: { cookie }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const code = errorCode(error);
    return { ok: false, meta: { error: code }, result: (step) => ({ status: 'unreachable', message: `${step} request to ${url} failed (${code})`, meta: { error: code } }) };
  }
  await response.body?.cancel();
  const status = response.status;
  if (status >= 200 && status < 300) return { ok: true, status, setCookie: response.headers.getSetCookie() };
  const refused = status === 401 || status === 403;
  const meta = { [`${method === 'GET' ? 'validate' : 'rotate'}Status`]: status };
  return {
    ok: false,
    meta,
    result: (step) => ({
      status: refused ? 'validation_failed' : status >= 500 || status === 429 ? 'unreachable' : 'failed',
      message: refused ? `the service refused the cookie at ${step} (HTTP ${status})` : `${step} request answered HTTP ${status}`,
      meta,
    }),
  };
}

/** A transport failure's code (ECONNREFUSED, a timeout), never its message (which may quote a request). */
function errorCode(error: unknown): string {
  const named = error as { name?: unknown; code?: unknown; cause?: { code?: unknown } };
  if (named.name === 'TimeoutError') return 'ETIMEDOUT';
  if (typeof named.cause?.code === 'string') return named.cause.code;
  if (typeof named.code === 'string') return named.code;
  return typeof named.name === 'string' ? named.name : 'ERR_UNKNOWN';
}
