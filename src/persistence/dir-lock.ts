/**
 * One runtime per data directory.
 *
 * - **Same host**: the owner's liveness socket decides (see liveness-socket.ts):
 *   no clock, heartbeat or pid can fool it. A frozen owner keeps the
 *   directory; a dead one, or an earlier incarnation of the opener's own pid,
 *   is taken over at once.
 * - **Other hosts** (a network file system): only the heartbeat in the lock
 *   file can tell, judged against the *owner's* `staleAfterMs`. The owner
 *   fences itself: it commits only while its last written heartbeat is
 *   younger than `staleAfterMs` minus a margin (a quarter of it); past that
 *   it must first renew by publishing the next generation, which link(2)
 *   makes atomic against a taker doing the same. So by the time another host
 *   may take over, the old owner has stopped acknowledging (given clocks that
 *   agree within the margin).
 */
import { hostname } from 'node:os';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../runtime/ports/index.js';
import { realClock } from '../runtime/ports/index.js';
import { InvalidConfigError, StewardError } from '../errors.js';
import { LockLostError, PersistFailedError, StoreClosedError, StoreLockedError } from './errors.js';
import type { LockOwner } from './lock-file.js';
import { lockPath, publishOwner, readOwner, removeLeftovers, rewriteOwner, topGeneration } from './lock-file.js';
import type { LivenessSocket } from './liveness-socket.js';
import { listenLiveness, probeLiveness, removeSocket } from './liveness-socket.js';
import { judgeOwner, PROCESS_STARTED_AT } from './lock-owner-liveness.js';

export type { LockOwner } from './lock-file.js';

const MAX_ATTEMPTS = 20;

/** Lock timing; the defaults suit production, tests shorten them. */
export interface DirectoryLockOptions {
  readonly clock: Clock;
  /** How often the owner refreshes its heartbeat. Default 5 s; at most half of `staleAfterMs` minus the margin. */
  readonly heartbeatMs?: number;
  /** After this long without a heartbeat, openers on other hosts may take over. Default 30 s. */
  readonly staleAfterMs?: number;
  /** Called once when the lock is lost: taken over (`owner` is the taker) or fenced (`owner` undefined). */
  readonly onLost?: (error: LockLostError, owner: LockOwner | undefined) => void;
}

/**
 * An exclusive lock on a directory, held until {@link DirectoryLock.release}.
 */
export class DirectoryLock {
  readonly #dir: string;
  readonly #options: DirectoryLockOptions;
  readonly #socket: LivenessSocket;
  readonly #staleAfterMs: number;
  readonly #heartbeatMs: number;
  /** Elapsed time for self-fencing: monotonic on the real clock, so a wall-clock step cannot extend the lease. */
  readonly #elapsed: () => number;
  #owner: LockOwner;
  /** #elapsed() when the last successfully written heartbeat was taken. */
  #confirmedAt: number;
  #timer: TimerHandle | undefined;
  #lost: LockLostError | undefined;
  #stopped = false;
  /** The heartbeat or renewal being written; release and renew wait for it. */
  #beating: Promise<void> = Promise.resolve();

  private constructor(dir: string, owner: LockOwner, socket: LivenessSocket, options: DirectoryLockOptions, confirmedAt: number) {
    this.#dir = dir;
    this.#owner = owner;
    this.#socket = socket;
    this.#options = options;
    this.#staleAfterMs = owner.staleAfterMs ?? 30_000;
    this.#heartbeatMs = options.heartbeatMs ?? 5_000;
    this.#elapsed = elapsedSource(options.clock);
    this.#confirmedAt = confirmedAt;
  }

  /**
   * Takes the lock or throws `ERR_STORE_LOCKED` naming the live owner (or,
   * when its lock file cannot be read, the file and errno: locked, reason
   * unknown). Other failures are `ERR_PERSIST_FAILED`.
   */
  static async acquire(dir: string, options: DirectoryLockOptions): Promise<DirectoryLock> {
    const staleAfterMs = options.staleAfterMs ?? 30_000;
    const heartbeatMs = options.heartbeatMs ?? 5_000;
    if (!(heartbeatMs > 0 && heartbeatMs <= (staleAfterMs * 3) / 8)) {
      throw new InvalidConfigError(`lock.heartbeatMs (${heartbeatMs}) must be positive and at most 3/8 of lock.staleAfterMs (${staleAfterMs}), so two heartbeats fit before the owner fences itself.`);
    }
    const socket = await coded(`listen on a liveness socket in ${dir}`, () => listenLiveness(dir));
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const top = await coded(`list ${dir}`, () => topGeneration(dir));
        const previous = top > 0 ? await judgeOwner(dir, top, options.clock, staleAfterMs) : 'dead';
        if (previous === 'retry') continue;
        if (previous !== 'dead') throw lockedError(dir, previous);
        const elapsed = elapsedSource(options.clock);
        const confirmedAt = elapsed();
        const now = options.clock.now();
        const mine: LockOwner = {
          pid: process.pid,
          hostname: hostname(),
          processStartedAt: PROCESS_STARTED_AT,
          startedAt: now,
          heartbeatAt: now,
          staleAfterMs,
          generation: top + 1,
          socket: socket.path,
        };
        if (!(await coded(`publish ${lockPath(dir, mine.generation)}`, () => publishOwner(dir, mine)))) continue;
        if ((await coded(`list ${dir}`, () => topGeneration(dir))) !== mine.generation) continue; // a later generation won; ours is a harmless leftover
        await coded(`clean up ${dir}`, () => cleanUp(dir, mine.generation, socket.path));
        const lock = new DirectoryLock(dir, mine, socket, options, confirmedAt);
        lock.#schedule();
        return lock;
      }
      throw new StoreLockedError(`Could not lock data directory ${dir}: ${MAX_ATTEMPTS} attempts lost to concurrent openers.`);
    } catch (error) {
      await socket.close();
      throw error;
    }
  }

  /** The owner record this process wrote last. */
  get owner(): LockOwner {
    return this.#owner;
  }

  /** Set once the lock is lost (taken over or fenced); the error to give callers. */
  get lost(): LockLostError | undefined {
    return this.#lost;
  }

  /** True while commits may go ahead without a renewal: the last heartbeat is younger than the fencing bound. */
  get fresh(): boolean {
    return !this.#lost && !this.#stopped && this.#elapsed() - this.#confirmedAt < this.#staleAfterMs - this.#staleAfterMs / 4;
  }

  /**
   * Makes the lock fresh again by publishing the next generation, or throws
   * `ERR_LOCK_LOST` (and reports the loss) when that is impossible.
   */
  async renew(): Promise<void> {
    await this.#beating;
    if (this.fresh) return;
    if (this.#lost) throw this.#lost;
    if (this.#stopped) throw new StoreClosedError(`The lock on ${this.#dir} was released.`); // never re-publish after release
    this.#beating = this.#bump().catch((error: unknown) => this.#lose(undefined, `its heartbeat could not be renewed (${describe(error)})`));
    await this.#beating;
    if (this.#lost) throw this.#lost;
  }

  /** Stops the heartbeat, marks the lock released (if still ours) and closes the liveness socket. */
  async release(): Promise<void> {
    this.#stop();
    try {
      await this.#beating;
      if (this.#lost || (await topGeneration(this.#dir)) > this.#owner.generation) return;
      await rewriteOwner(this.#dir, { ...this.#owner, released: true });
    } catch (error) {
      throw new PersistFailedError(`Could not release the lock on ${this.#dir} (${describe(error)}); the next opener will still find this process gone.`, { cause: error });
    } finally {
      await this.#socket.close();
    }
  }

  #schedule(): void {
    this.#timer = this.#options.clock.setTimer(this.#heartbeatMs, () => {
      this.#timer = undefined;
      this.#beating = this.#beat();
    });
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return;
    try {
      if (!this.fresh) {
        await this.#bump();
      } else {
        const top = await topGeneration(this.#dir);
        if (top > this.#owner.generation) {
          const taker = await readOwner(this.#dir, top);
          this.#lose(taker.kind === 'owner' ? taker.owner : undefined, 'another process took it over');
        } else {
          const confirmedAt = this.#elapsed();
          const next = { ...this.#owner, heartbeatAt: this.#options.clock.now() };
          await rewriteOwner(this.#dir, next);
          this.#owner = next;
          this.#confirmedAt = confirmedAt;
        }
      }
    } catch (error) {
      // A missed heartbeat only ages the lock; once it is past the fencing bound a failure is a loss.
      if (!this.fresh && !this.#lost) this.#lose(undefined, `its heartbeat could not be written (${describe(error)})`);
    }
    if (!this.#lost && !this.#stopped) this.#schedule();
  }

  /** Publishes generation n+1 with a fresh heartbeat; exactly one of us and a racing taker wins it. */
  async #bump(): Promise<void> {
    const confirmedAt = this.#elapsed();
    const next: LockOwner = { ...this.#owner, generation: this.#owner.generation + 1, heartbeatAt: this.#options.clock.now() };
    if (!(await publishOwner(this.#dir, next)) || (await topGeneration(this.#dir)) !== next.generation) {
      const taker = await readOwner(this.#dir, await topGeneration(this.#dir));
      this.#lose(taker.kind === 'owner' && taker.owner.socket !== this.#owner.socket ? taker.owner : undefined, 'another process took it over');
      return;
    }
    this.#owner = next;
    this.#confirmedAt = confirmedAt;
    await removeLeftovers(this.#dir, next.generation);
  }

  #lose(taker: LockOwner | undefined, why: string): void {
    if (this.#lost) return;
    const by = taker ? ` by pid ${taker.pid} on host ${taker.hostname}` : '';
    this.#lost = new LockLostError(`The lock on data directory ${this.#dir} was lost${by}: ${why}. This store no longer writes or reads.`);
    this.#stop();
    this.#options.onLost?.(this.#lost, taker);
  }

  #stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}

/** Monotonic time on the real clock; the clock itself under a virtual one (tests drive it). */
function elapsedSource(clock: Clock): () => number {
  return clock === realClock ? () => performance.now() : () => clock.now();
}

/** A new owner's chores: older generations, temp files and dead owners' socket files go. */
async function cleanUp(dir: string, generation: number, mySocket: string): Promise<void> {
  await removeLeftovers(dir, generation);
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (!/^steward\.\d+\.[0-9a-f]+\.sock$/.test(name) || path === mySocket) continue;
    if ((await probeLiveness(path)) === 'gone') await removeSocket(path);
  }
}

function lockedError(dir: string, owner: LockOwner): StoreLockedError {
  const started = new Date(owner.startedAt).toISOString();
  const beat = new Date(owner.heartbeatAt).toISOString();
  return new StoreLockedError(
    `Data directory ${dir} is locked by pid ${owner.pid} on host ${owner.hostname} (started ${started}, last heartbeat ${beat}); only one runtime may use a data directory.`,
  );
}

/** Runs a lock step, turning a bare file-system error into `ERR_PERSIST_FAILED` naming the step. */
async function coded<T>(step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StewardError) throw error;
    throw new PersistFailedError(`Could not ${step} (${describe(error)}).`, { cause: error });
  }
}

function describe(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
}
