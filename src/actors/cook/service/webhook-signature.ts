/**
 * Signed webhooks, as Stripe and GitHub sign theirs: the sender puts
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` in the
 * `steward-signature` header, with a secret only it and the receiver know.
 * The receiver checks the MAC in constant time and refuses a timestamp
 * outside its replay window, before it parses anything.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a signed delivery carries. */
export const WEBHOOK_SIGNATURE_HEADER = 'steward-signature';

/** Default replay window: a delivery signed longer ago (or further ahead) than this is refused. */
export const DEFAULT_WEBHOOK_TOLERANCE_MS = 5 * 60_000;

/**
 * The `steward-signature` header value for `rawBody`, signed at `nowMs`
 * (wall-clock milliseconds: the sender's `clock.now()`).
 *
 * @example
 * ```ts
 * declare const completion: WebhookBody;
 * declare const secret: string; // shared with the receiver
 * const body = JSON.stringify(completion);
 * await fetch(url, { method: 'POST', body, headers: { 'steward-signature': signWebhook(secret, body, Date.now()) } });
 * ```
 */
export function signWebhook(secret: string, rawBody: string | Uint8Array, nowMs: number): string {
  const timestamp = Math.floor(nowMs / 1000);
  return `t=${timestamp},v1=${mac(secret, timestamp, rawBody).toString('hex')}`;
}

/**
 * Options of {@link webhookSignatureProblem}.
 *
 * @example
 * ```ts
 * const check: WebhookSignatureCheck = { nowMs: system.clock.now(), toleranceMs: 60_000 };
 * ```
 */
export interface WebhookSignatureCheck {
  /** The receiver's wall-clock time in milliseconds (its `clock.now()`): the replay window is measured from it. */
  readonly nowMs: number;
  /** Replay window. Default {@link DEFAULT_WEBHOOK_TOLERANCE_MS}. */
  readonly toleranceMs?: number;
}

/**
 * Why a delivery's signature is not good, or `undefined` when it is.
 *
 * @example
 * ```ts
 * import type { IncomingMessage } from 'node:http';
 * declare const secret: string;
 * function check(req: IncomingMessage, rawBody: Buffer): string | undefined {
 *   const header = req.headers['steward-signature'];
 *   return webhookSignatureProblem(secret, typeof header === 'string' ? header : undefined, rawBody, { nowMs: Date.now() }); // a reason means 401
 * }
 * ```
 */
export function webhookSignatureProblem(secret: string, header: string | undefined, rawBody: string | Uint8Array, check: WebhookSignatureCheck): string | undefined {
  if (!header) return `the delivery is not signed (no ${WEBHOOK_SIGNATURE_HEADER} header)`;
  const fields = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]));
  const timestamp = Number(fields.get('t'));
  const given = fields.get('v1') ?? '';
  if (!Number.isSafeInteger(timestamp) || !/^[0-9a-f]{64}$/.test(given)) return `malformed ${WEBHOOK_SIGNATURE_HEADER} header`;
  const expected = mac(secret, timestamp, rawBody);
  // Constant time: how much of a forged MAC matches must not show in the answer's timing.
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return 'the signature does not match';
  const ageMs = Math.abs(check.nowMs - timestamp * 1000);
  if (ageMs > (check.toleranceMs ?? DEFAULT_WEBHOOK_TOLERANCE_MS)) return 'the signature is outside the replay window (stale or replayed delivery)';
  return undefined;
}

function mac(secret: string, timestamp: number, rawBody: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}
