/**
 * The HTTP side of {@link RegistryClient}: a worker process talking to the
 * registry served by the process that owns the store. Answers are checked
 * with the same zod schemas; refusals come back as the registry's own errors.
 */
import { z } from 'zod';
import { InvalidMessageError, type Clock, type StewardError } from '../../../index.js';
import { httpJsonClient, type Refusal } from '../http-json-client.js';
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

const ActiveWorkerSchema = z.object({ id: z.string(), workerType: z.string(), status: WorkerStatusSchema, hostname: z.string(), pid: z.number(), version: VersionInfoSchema, since: z.number() });

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
  const http = httpJsonClient(baseUrl, { ...options, service: 'registry', unavailable: RegistryUnavailableError, refused: registryError });
  const call = http.callForBody.bind(http);

  return {
    register: (request) => call('POST', '/workers', WorkerInstanceSchema, request),
    running: (workerId) => call('POST', `/workers/${encodeURIComponent(workerId)}/running`, WorkerInstanceSchema),
    heartbeat: (workerId) => call('POST', `/workers/${encodeURIComponent(workerId)}/heartbeat`, WorkerInstanceSchema),
    stopping: (workerId) => call('POST', `/workers/${encodeURIComponent(workerId)}/stopping`, WorkerInstanceSchema),
    deregister: (workerId) => call('DELETE', `/workers/${encodeURIComponent(workerId)}`, WorkerInstanceSchema),
    list: async () => (await call('GET', '/workers', z.object({ workers: z.array(WorkerInstanceSchema) }))).workers as WorkerInstance[],
  };
}

/** The registry's own error for a refusal it knows. */
function registryError({ code, message, issues, active }: Refusal): StewardError | undefined {
  const worker = ActiveWorkerSchema.safeParse(active);
  if (code === 'ERR_WORKER_ACTIVE' && worker.success) return new WorkerActiveError(worker.data as ActiveWorker);
  if (code === 'ERR_WORKER_STOPPED') return new WorkerStoppedError(message);
  if (code === 'ERR_INVALID_MESSAGE') return new InvalidMessageError(message, issues ?? []);
  return undefined;
}
