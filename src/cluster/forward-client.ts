/**
 * Carries a message to the node that owns its entity: HTTP POST on the
 * owner's registered address, over undici's keep-alive connections, signed
 * with this node's `forwardSecret` if it has one. Tells whether a failure
 * happened before the request was sent (safe to send again elsewhere) or
 * after (the outcome is unknown: never resent); a refusal of the signature
 * is neither: nothing was delivered, and sending it again would be refused too.
 * @internal
 */
import { Agent, request } from 'undici';
import { DEFAULT_SIGNATURE_TOLERANCE_MS, SIGNATURE_HEADER, signBody } from '../http/index.js';
import { ForwardFailedError, UnauthorizedError } from './errors.js';
import { FORWARD_PATH, forwardResponse, type ForwardAuth, type ForwardRequest, type ForwardResponse } from './forward-protocol.js';

/** What one forward came to. @internal */
export type ForwardResult = { readonly sent: true; readonly response: ForwardResponse } | { readonly sent: false; readonly reason: string };

/** Errors undici raises before a byte of the request reached the owner. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT']);

/** @internal */
export class ForwardClient {
  readonly #agent = new Agent({ keepAliveTimeout: 10_000, connections: 16, pipelining: 1, connectTimeout: 1_000 });
  /** A private field, so that no inspection of the node prints the secret. */
  readonly #auth: ForwardAuth;

  constructor(auth: ForwardAuth) {
    this.#auth = auth;
  }

  /**
   * Sends `message` to `address`; rejects `ERR_FORWARD_FAILED` once it may have been handled without an answer
   * coming back, and `ERR_UNAUTHORIZED` when the owner refused its signature (nothing was delivered).
   */
  async send(address: string, message: ForwardRequest): Promise<ForwardResult> {
    const { secret, clock } = this.#auth;
    const sent = JSON.stringify(message);
    let status: number;
    let body: string;
    try {
      const response = await request(`${address}${FORWARD_PATH}`, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: { 'content-type': 'application/json', ...(secret === undefined ? {} : { [SIGNATURE_HEADER]: signBody(secret, sent, clock.now()) }) },
        body: sent,
        headersTimeout: message.timeoutMs,
        bodyTimeout: message.timeoutMs,
      });
      status = response.statusCode;
      body = await response.body.text();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (NOT_SENT.has(code)) return { sent: false, reason: code };
      throw new ForwardFailedError(`Forwarding '${message.message}' to ${message.type}/${message.key} at ${address} failed (${code || String(error)}); whether it was handled is unknown.`, {
        cause: error,
      });
    }
    const parsed = forwardResponse.safeParse(safeJson(body));
    if (status === 401) {
      const answered = parsed.success && parsed.data.outcome === 'error' ? parsed.data.error.message : 'HTTP 401';
      const advice =
        secret === undefined
          ? 'This node has no forwardSecret: give every node the same one.'
          : `Give every node the same forwardSecret, and keep their clocks within ${DEFAULT_SIGNATURE_TOLERANCE_MS / 60_000} minutes of each other.`;
      throw new UnauthorizedError(`The node at ${address} did not take '${message.message}' for ${message.type}/${message.key}, and nothing was delivered. It answered: ${answered} ${advice}`);
    }
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
