/**
 * The HTTP side of {@link RegistryClient}: a worker process talking to the
 * registry served by the process that owns the store. Answers are checked
 * with the same zod schemas; refusals come back as the registry's own errors.
 */
import { z } from 'zod';
import { InvalidMessageError, realClock, StewardError, type Clock } from '../../../index.js';
import { RegistryUnavailableError, WorkerActiveError, WorkerStoppedError, type ActiveWorker } from './errors.js';
import type { RegistryClient } from './registry-client.js';
import { VersionInfoSchema, WorkerInstanceSchema, WorkerStatusSchema, type WorkerInstance } from './schemas.js';

/**
 * Options of {@link httpRegistryClient}.
 *
 * @example
 * ```ts
 * httpRegistryClient(url, { timeoutMs: 2_000 });
 * ```
 */
export interface HttpRegistryClientOptions {
  /** Bound on each request. Default 5,000 ms. */
  readonly timeoutMs?: number;
  /** Drives the timeout. Default: the real clock. */
  readonly clock?: Clock;
}

const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string() })).optional(),
    active: z
      .object({ id: z.string(), workerType: z.string(), status: WorkerStatusSchema, hostname: z.string(), pid: z.number(), version: VersionInfoSchema, since: z.number() })
      .optional(),
  }),
});

/**
 * A registry client over HTTP, for `baseUrl` as {@link startRegistryServer} or a mounted handler serves it.
 *
 * @example
 * ```ts
 * import os from 'node:os';
 * const client = httpRegistryClient('http://127.0.0.1:8080/registry');
 * const worker = await client.register({ workerType: 'media', hostname: os.hostname(), pid: process.pid, version: detectVersion() });
 * ```
 */
export function httpRegistryClient(baseUrl: string, options: HttpRegistryClientOptions = {}): RegistryClient {
  const base = baseUrl.replace(/\/+$/, '');
  const clock = options.clock ?? realClock;
  const timeoutMs = options.timeoutMs ?? 5_000;

  async function call<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
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
      throw new RegistryUnavailableError(`registry at ${base} did not answer ${method} ${path}${controller.signal.aborted ? ` within ${timeoutMs} ms` : ''}`, { cause: error });
    } finally {
      clock.clearTimer(timer);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new RegistryUnavailableError(`registry answered ${method} ${path} with ${response.status} and a body that is not JSON`, { cause: error });
    }
    if (response.ok) {
      const parsed = schema.safeParse(json);
      if (parsed.success) return parsed.data;
      throw new RegistryUnavailableError(`registry answered ${method} ${path} with an unexpected body`, { cause: parsed.error });
    }
    throw errorFrom(response.status, json, `${method} ${path}`);
  }

  return {
    register: (request) => call('POST', '/workers', WorkerInstanceSchema, request),
    running: (workerId) => call('POST', `/workers/${encodeURIComponent(workerId)}/running`, WorkerInstanceSchema),
    heartbeat: (workerId) => call('POST', `/workers/${encodeURIComponent(workerId)}/heartbeat`, WorkerInstanceSchema),
    stopping: (workerId) => call('POST', `/workers/${encodeURIComponent(workerId)}/stopping`, WorkerInstanceSchema),
    deregister: (workerId) => call('DELETE', `/workers/${encodeURIComponent(workerId)}`, WorkerInstanceSchema),
    list: async () => (await call('GET', '/workers', z.object({ workers: z.array(WorkerInstanceSchema) }))).workers as WorkerInstance[],
  };
}

function errorFrom(status: number, json: unknown, what: string): StewardError {
  const parsed = ErrorBodySchema.safeParse(json);
  if (!parsed.success) return new RegistryUnavailableError(`registry answered ${what} with ${status}`);
  const { code, message, issues, active } = parsed.data.error;
  if (code === 'ERR_WORKER_ACTIVE' && active) return new WorkerActiveError(active as ActiveWorker);
  if (code === 'ERR_WORKER_STOPPED') return new WorkerStoppedError(message);
  if (code === 'ERR_INVALID_MESSAGE') return new InvalidMessageError(message, issues ?? []);
  return new RegistryUnavailableError(`registry answered ${what} with ${status} ${code}: ${message}`);
}
