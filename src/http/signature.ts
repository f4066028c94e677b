/**
 * Signed requests, as Stripe and GitHub sign their webhooks: the sender puts
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` in the
 * `steward-signature` header, with a secret only it and the receiver know.
 * The receiver checks the MAC in constant time and refuses a timestamp
 * outside its replay window, before it parses anything. The cook webhook
 * and the cluster's forwarding endpoint both sign this way.
 * @internal
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The header a signed request carries. @internal */
export const SIGNATURE_HEADER = 'steward-signature';

/** Default replay window: a request signed longer ago (or further ahead) than this is refused. @internal */
export const DEFAULT_SIGNATURE_TOLERANCE_MS = 5 * 60_000;

/** The `steward-signature` header value for `rawBody`, signed at `nowMs` (wall-clock milliseconds: the sender's `clock.now()`). @internal */
export function signBody(secret: string, rawBody: string | Uint8Array, nowMs: number): string {
  const timestamp = Math.floor(nowMs / 1000);
  return `t=${timestamp},v1=${mac(secret, timestamp, rawBody).toString('hex')}`;
}

/** How {@link signatureProblem} checks the time. @internal */
export interface SignatureCheck {
  /** The receiver's wall-clock time in milliseconds (its `clock.now()`): the replay window is measured from it. */
  readonly nowMs: number;
  /** Replay window. Default 5 minutes. */
  readonly toleranceMs?: number;
}

/** Why a request's signature is not good, or `undefined` when it is. @internal */
export function signatureProblem(secret: string, header: string | undefined, rawBody: string | Uint8Array, check: SignatureCheck): string | undefined {
  if (!header) return `the delivery is not signed (no ${SIGNATURE_HEADER} header)`;
  const fields = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]));
  const timestamp = Number(fields.get('t'));
  const given = fields.get('v1') ?? '';
  if (!Number.isSafeInteger(timestamp) || !/^[0-9a-f]{64}$/.test(given)) return `malformed ${SIGNATURE_HEADER} header`;
  const expected = mac(secret, timestamp, rawBody);
  // Constant time: how much of a forged MAC matches must not show in the answer's timing.
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return 'the signature does not match';
  const ageMs = Math.abs(check.nowMs - timestamp * 1000);
  if (ageMs > (check.toleranceMs ?? DEFAULT_SIGNATURE_TOLERANCE_MS)) return 'the signature is outside the replay window (stale or replayed delivery)';
  return undefined;
}

/** The `steward-signature` header of a node:http request (the first, if it came more than once). @internal */
export function signatureOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers[SIGNATURE_HEADER];
  return Array.isArray(header) ? header[0] : header;
}

function mac(secret: string, timestamp: number, rawBody: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}
