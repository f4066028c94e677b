import { createServer, type RequestListener } from 'node:http';
import { realClock } from '../../../../src/index.js';
import type { AddressInfo } from 'node:net';
import { createWebhookHandler, signWebhook, startWebhookServer, type WebhookBody, type WebhookDelivery } from '../../../../src/actors/cook/service/index.js';

/** The signing secret the tests' generation services and webhook receivers share. */
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

/** A delivery of `body` as the generation service sends it: the JSON bytes and their signature. */
export function signed(body: unknown, secret = TEST_WEBHOOK_SECRET, nowMs = realClock.now()): WebhookDelivery {
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
  return { rawBody, signature: signWebhook(secret, rawBody, nowMs) };
}

/** Anything a test opens; closed in afterEach. */
export interface Closable {
  close(): Promise<void>;
}

/** A webhook receiver that records every completion it is handed. */
export async function startCollector() {
  const received: WebhookBody[] = [];
  const server = await startWebhookServer(createWebhookHandler((completion) => void received.push(completion), { secret: TEST_WEBHOOK_SECRET, clock: realClock }));
  return { url: server.url, received, close: server.close };
}

/** A raw loopback server with a custom listener (for misbehaving services). */
export async function startRawServer(listener: RequestListener): Promise<Closable & { url: string }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The rejection of `promise`, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

/** A minimal valid submission. */
export function job(jobId: string, extra: Partial<{ webhookUrl: string; pieceIndex: number }> = {}) {
  return { jobId, collectionId: 'col-1', userId: 'ann', pieceIndex: 0, ...extra };
}
