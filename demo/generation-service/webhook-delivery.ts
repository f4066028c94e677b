/**
 * One webhook POST from the generation service, bounded by a timeout and
 * cancelled when the service closes.
 * @internal
 */
import { signWebhook, WEBHOOK_SIGNATURE_HEADER, type WebhookBody } from '../../src/actors/cook/index.js';

/** Whether a delivery reached a 2xx answer. @internal */
export type DeliveryOutcome = 'delivered' | 'error';

/**
 * POSTs `body` to `url`. Never throws: a lost webhook is part of the
 * contract (a poller catches it), so failure is an outcome, not an exception.
 * @internal
 */
export async function deliverWebhook(url: string, body: WebhookBody, stop: AbortSignal, timeoutMs: number, secret: string, nowMs: number): Promise<DeliveryOutcome> {
  try {
    const raw = JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    // Signed as the receiver reads it: over these exact bytes, with the time of sending.
    if (secret) headers[WEBHOOK_SIGNATURE_HEADER] = signWebhook(secret, raw, nowMs);
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: raw,
      signal: AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]),
    });
    // Reading the body returns the connection to the pool instead of leaving it half-used.
    await response.arrayBuffer();
    return response.ok ? 'delivered' : 'error';
  } catch {
    return 'error';
  }
}
