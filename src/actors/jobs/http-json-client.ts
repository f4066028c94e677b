/**
 * The JSON-over-HTTP client the jobs domain's remote clients (the queue
 * consumer, the registry client) share: one bounded request, the answer
 * checked with a zod schema, and the error envelope
 * `{ error: { code, message, issues?, … } }` handed back to the caller to turn
 * into its own errors. Anything else (no answer in time, a body that is not
 * JSON, an unexpected shape) is the caller's "unavailable" error.
 * @internal
 */
import { z } from 'zod';
import { realClock, type Clock, type StewardError, type StewardErrorOptions } from '../../index.js';

/** A refusal as the jobs HTTP handlers answer it (`{ error: { … } }`), other fields of `error` kept. @internal */
export const RefusalSchema = z.looseObject({
  code: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string() })).optional(),
});

/** One refusal: the envelope's `error`, with the HTTP status it came with. @internal */
export type Refusal = z.infer<typeof RefusalSchema> & { readonly status: number };

/** Options of {@link httpJsonClient}. @internal */
export interface HttpJsonClientOptions {
  /** What the client talks to, for messages: `queue`, `registry`. */
  readonly service: string;
  /** Bound on each request, the answer's body included. Default 5,000 ms. */
  readonly timeoutMs?: number;
  /** Drives the timeout. Default: the real clock. */
  readonly clock?: Clock;
  /** The error for a service that did not answer, or answered something unreadable. */
  readonly unavailable: new (message: string, options?: StewardErrorOptions) => StewardError;
  /** The caller's own error for a refusal it knows; `undefined` makes it an `unavailable` naming the code. */
  readonly refused: (refusal: Refusal) => StewardError | undefined;
}

/** Requests to one base URL. @internal */
export interface HttpJsonClient {
  /** Sends `body` (JSON) to `path` and answers the parsed reply; 204 resolves to `null`. */
  call<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T | null>;
  /** As {@link HttpJsonClient.call}, for requests that always answer a body: a 204 is an unexpected answer. */
  callForBody<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T>;
}

const EnvelopeSchema = z.object({ error: RefusalSchema });

/** A {@link HttpJsonClient} for `baseUrl`. @internal */
export function httpJsonClient(baseUrl: string, options: HttpJsonClientOptions): HttpJsonClient {
  const base = baseUrl.replace(/\/+$/, '');
  const { service, unavailable } = options;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const clock = options.clock ?? realClock;

  async function call<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T | null> {
    const what = `${method} ${path}`;
    const controller = new AbortController();
    const timer = clock.setTimer(timeoutMs, () => controller.abort());
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        signal: controller.signal,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      text = await response.text();
    } catch (error) {
      throw new unavailable(`${service} at ${base} did not answer ${what}${controller.signal.aborted ? ` within ${timeoutMs} ms` : ''}`, { cause: error });
    } finally {
      clock.clearTimer(timer);
    }
    if (response.status === 204) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new unavailable(`${service} answered ${what} with ${response.status} and a body that is not JSON`, { cause: error });
    }
    if (!response.ok) throw refusalError(response.status, json, what);
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    throw new unavailable(`${service} answered ${what} with an unexpected body`, { cause: parsed.error });
  }

  function refusalError(status: number, json: unknown, what: string): StewardError {
    const parsed = EnvelopeSchema.safeParse(json);
    if (!parsed.success) return new unavailable(`${service} answered ${what} with ${status}`);
    const refusal = { ...parsed.data.error, status };
    return options.refused(refusal) ?? new unavailable(`${service} answered ${what} with ${status} ${refusal.code}: ${refusal.message}`);
  }

  return {
    call,
    async callForBody(method, path, schema, body) {
      const answer = await call(method, path, schema, body);
      if (answer === null) throw new unavailable(`${service} answered ${method} ${path} with 204 and no body`);
      return answer;
    },
  };
}
