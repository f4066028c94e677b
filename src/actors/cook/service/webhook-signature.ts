/**
 * Signed webhooks, as Stripe and GitHub sign theirs: the sender puts
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` in the
 * `steward-signature` header, with a secret only it and the receiver know.
 * The receiver checks the MAC in constant time and refuses a timestamp
 * outside its replay window, before it parses anything. The scheme is
 * steward's one way of signing HTTP requests (`src/http/signature.ts`); these
 * are its names as the cook's public API.
 */
import { DEFAULT_SIGNATURE_TOLERANCE_MS, SIGNATURE_HEADER, signatureProblem, signBody, type SignatureCheck } from '../../../http/index.js';

/** The header a signed delivery carries. */
export const WEBHOOK_SIGNATURE_HEADER = SIGNATURE_HEADER;

/** Default replay window: a delivery signed longer ago (or further ahead) than this is refused. */
export const DEFAULT_WEBHOOK_TOLERANCE_MS = DEFAULT_SIGNATURE_TOLERANCE_MS;

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
  return signBody(secret, rawBody, nowMs);
}

/**
 * Options of {@link webhookSignatureProblem}: the receiver's wall-clock time
 * in milliseconds (`nowMs`, its `clock.now()`: the replay window is measured
 * from it), and the replay window (`toleranceMs`, default
 * {@link DEFAULT_WEBHOOK_TOLERANCE_MS}).
 *
 * @example
 * ```ts
 * const check: WebhookSignatureCheck = { nowMs: system.clock.now(), toleranceMs: 60_000 };
 * ```
 */
export interface WebhookSignatureCheck extends SignatureCheck {}

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
  return signatureProblem(secret, header, rawBody, check);
}
