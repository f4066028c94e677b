/**
 * Carries a message to the node that owns its entity: HTTP POST on the
 * owner's registered address, over undici's keep-alive connections. Tells
 * whether a failure happened before the request was sent (safe to send
 * again elsewhere) or after (the outcome is unknown: never resent).
 * @internal
 */
import { Agent, request } from 'undici';
import { ForwardFailedError } from './errors.js';
import { FORWARD_PATH, forwardResponse, type ForwardRequest, type ForwardResponse } from './forward-protocol.js';

/** What one forward came to. @internal */
export type ForwardResult = { readonly sent: true; readonly response: ForwardResponse } | { readonly sent: false; readonly reason: string };

/** Errors undici raises before a byte of the request reached the owner. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT']);

/** @internal */
export class ForwardClient {
  readonly #agent = new Agent({ keepAliveTimeout: 10_000, connections: 16, pipelining: 1, connectTimeout: 1_000 });

  /** Sends `message` to `address`; rejects `ERR_FORWARD_FAILED` once it may have been handled without an answer coming back. */
  async send(address: string, message: ForwardRequest): Promise<ForwardResult> {
    let body: string;
    try {
      const response = await request(`${address}${FORWARD_PATH}`, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        headersTimeout: message.timeoutMs,
        bodyTimeout: message.timeoutMs,
      });
      body = await response.body.text();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (NOT_SENT.has(code)) return { sent: false, reason: code };
      throw new ForwardFailedError(`Forwarding '${message.message}' to ${message.type}/${message.key} at ${address} failed (${code || String(error)}); whether it was handled is unknown.`, {
        cause: error,
      });
    }
    const parsed = forwardResponse.safeParse(safeJson(body));
    if (!parsed.success) throw new ForwardFailedError(`The owner at ${address} answered '${message.message}' to ${message.type}/${message.key} with something that is not a steward answer.`);
    return { sent: true, response: parsed.data };
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
