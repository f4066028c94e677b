/**
 * The worker side of the registry, for the process that does the work:
 * register (refused with `ERR_WORKER_ACTIVE` if its type is taken), mark
 * itself RUNNING, heartbeat, and shut down gracefully on SIGTERM/SIGINT:
 * STOPPING at once (the type is free for a successor), dispatch stops,
 * running work gets a grace deadline, then STOPPED and exit 0. A second
 * signal forces the exit.
 */
import { hostname as osHostname } from 'node:os';
import { InvalidConfigError, InvalidStateError, realClock, type Clock, type TimerHandle } from '../../../index.js';
import { WorkerStoppedError } from './errors.js';
import type { RegistryClient } from './registry-client.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from './registry-state.js';
import type { VersionInfo, WorkerInstance } from './schemas.js';
import { detectVersion } from './version.js';

/** Default time running work gets to finish after a stop signal: fits Kubernetes' default 30 s termination grace. */
export const DEFAULT_GRACE_MS = 25_000;

/**
 * Options of {@link WorkerClient}.
 *
 * @example
 * ```ts
 * declare const registry: RegistryClient;
 * declare const queue: { pause(): void; idle(): Promise<void>; abortRunning(): void }; // the worker's own job loop
 * new WorkerClient({ registry, workerType: 'media', stopDispatch: () => queue.pause(), drain: () => queue.idle(), abort: () => queue.abortRunning() });
 * ```
 */
export interface WorkerClientOptions {
  readonly registry: RegistryClient;
  readonly workerType: string;
  /** Default {@link detectVersion}(). */
  readonly version?: VersionInfo;
  /** Default `os.hostname()`. */
  readonly hostname?: string;
  /** Default `process.pid`. */
  readonly pid?: number;
  /** Default 10,000 ms; keep it well under the registry's stale bound. */
  readonly heartbeatIntervalMs?: number;
  /** Time running work gets after a stop. Default 25,000 ms; keep it under the registry's STOPPING bound. */
  readonly graceMs?: number;
  /** Drives heartbeats and the grace deadline. Default: the real clock. */
  readonly clock?: Clock;
  /** Stop taking new work. Called once, right after the registry has the worker STOPPING. */
  readonly stopDispatch?: () => void;
  /** Settles when running work has finished; raced against the grace deadline. Default: nothing runs. */
  readonly drain?: () => Promise<unknown>;
  /** The grace deadline passed with work still running: abort it (and requeue it). */
  readonly abort?: () => unknown;
  /** The registry refused a heartbeat: this worker is STOPPED there and a successor may hold its type. Stop working. */
  readonly onLost?: (error: WorkerStoppedError) => void;
  /** A heartbeat or shutdown call failed in a way that is retried or ignored (registry unreachable). */
  readonly onError?: (error: unknown) => void;
  /** How the process ends after a signal. Default `process.exit`. */
  readonly exit?: (code: number) => void;
}

/**
 * Where a worker client stands.
 *
 * @example
 * ```ts
 * declare const client: WorkerClient;
 * if (client.status === 'lost') process.exitCode = 1;
 * ```
 */
export type WorkerClientStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'lost';

/**
 * One worker process's registration.
 *
 * @example
 * ```ts
 * const media = defineQueue({ name: 'media', payload: z.object({ postUrl: z.string() }) });
 * const client = new WorkerClient({ registry: httpRegistryClient(url), workerType: 'media', ...queueShutdownHooks(media.ref(system), media.events) });
 * await client.start(); // throws ERR_WORKER_ACTIVE naming the active media worker
 * client.handleSignals(); // SIGTERM/SIGINT: STOPPING, drain within 25 s, STOPPED, exit 0
 * ```
 */
export class WorkerClient {
  #status: WorkerClientStatus = 'idle';
  #worker: WorkerInstance | undefined;
  #heartbeat: TimerHandle | undefined;
  #stopped: Promise<void> | undefined;
  readonly #options: WorkerClientOptions;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #graceMs: number;

  constructor(options: WorkerClientOptions) {
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.#intervalMs = positive('heartbeatIntervalMs', options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS);
    this.#graceMs = positive('graceMs', options.graceMs ?? DEFAULT_GRACE_MS);
  }

  get status(): WorkerClientStatus {
    return this.#status;
  }

  /** This worker's registration, once registered. */
  get worker(): WorkerInstance | undefined {
    return this.#worker;
  }

  /** Registers, marks the worker RUNNING and starts heartbeats. Rejects with `ERR_WORKER_ACTIVE` if the type is taken. */
  async start(): Promise<WorkerInstance> {
    if (this.#status !== 'idle') throw new InvalidStateError(`worker client is ${this.#status}: start it once`);
    this.#status = 'starting';
    const { registry } = this.#options;
    try {
      const registered = await registry.register({
        workerType: this.#options.workerType,
        hostname: this.#options.hostname ?? osHostname(),
        pid: this.#options.pid ?? process.pid,
        version: this.#options.version ?? detectVersion({ clock: this.#clock }),
      });
      this.#worker = registered;
      this.#worker = await registry.running(registered.id);
    } catch (error) {
      this.#status = this.#worker ? 'lost' : 'idle';
      throw error;
    }
    if (this.#status !== 'starting') return this.#worker; // a stop came in meanwhile
    this.#status = 'running';
    this.#scheduleHeartbeat();
    return this.#worker;
  }

  /**
   * Graceful stop: STOPPING at once, dispatch stops, running work gets the
   * grace deadline (then `abort`), STOPPED. Calling it again returns the same promise.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#runStop();
    return this.#stopped;
  }

  /**
   * Stops gracefully on the first of `signals` and exits 0; a second signal exits 1 at once.
   * Returns a function that removes the handlers.
   */
  handleSignals(signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): () => void {
    const exit = this.#options.exit ?? ((code: number) => process.exit(code));
    let received = 0;
    const onSignal = () => {
      received++;
      if (received > 1) return exit(1);
      void this.stop().finally(() => exit(0));
    };
    for (const signal of signals) process.on(signal, onSignal);
    return () => {
      for (const signal of signals) process.off(signal, onSignal);
    };
  }

  async #runStop(): Promise<void> {
    this.#cancelHeartbeat();
    const worker = this.#worker;
    const wasActive = this.#status === 'running' || this.#status === 'starting';
    this.#status = 'stopping';
    if (worker && wasActive) await this.#options.registry.stopping(worker.id).catch((error: unknown) => this.#options.onError?.(error));
    this.#options.stopDispatch?.();
    if (this.#options.drain && !(await this.#within(this.#graceMs, this.#options.drain()))) await this.#options.abort?.();
    if (worker) await this.#options.registry.deregister(worker.id).catch((error: unknown) => this.#options.onError?.(error));
    this.#status = 'stopped';
  }

  /** True if `work` settled within `ms`. The deadline holds the process meanwhile: STOPPED must be recorded before it exits. */
  #within(ms: number, work: Promise<unknown>): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimer(ms, () => resolve(false));
      this.#clock.keepAlive?.(timer, true);
      const done = () => {
        this.#clock.clearTimer(timer);
        resolve(true);
      };
      work.then(done, done);
    });
  }

  #scheduleHeartbeat(): void {
    // One heartbeat at a time: the next is set only once the previous has answered, so they never stack.
    this.#heartbeat = this.#clock.setTimer(this.#intervalMs, () => void this.#beat());
  }

  #cancelHeartbeat(): void {
    if (this.#heartbeat) this.#clock.clearTimer(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  async #beat(): Promise<void> {
    const worker = this.#worker;
    if (this.#status !== 'running' || !worker) return;
    try {
      this.#worker = await this.#options.registry.heartbeat(worker.id);
    } catch (error) {
      if (error instanceof WorkerStoppedError) {
        if (this.#status !== 'running') return;
        this.#status = 'lost';
        this.#options.onLost?.(error);
        return;
      }
      this.#options.onError?.(error);
    }
    if (this.#status === 'running') this.#scheduleHeartbeat();
  }
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new InvalidConfigError(`worker client option ${name} must be a positive integer of milliseconds, got ${String(value)}`);
  return value;
}
