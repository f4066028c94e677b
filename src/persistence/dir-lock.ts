/**
 * One runtime per data directory. Ownership is a generation-numbered lock
 * file, `steward.lock.<n>`; the highest generation is the current owner.
 * A file is published with link(2), which is atomic and fails if the name
 * exists, so among racers for generation n+1 exactly one wins, and the file
 * is never seen half-written. Taking over a dead owner's lock means creating
 * generation n+1, never deleting theirs, which is what makes takeover safe when
 * several openers notice the dead owner at once.
 */
import { hostname } from 'node:os';
import { link, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import { StoreLockedError } from './errors.js';
import { fsyncDir } from './fs-durable.js';

const PREFIX = 'steward.lock.';
const MAX_ATTEMPTS = 20;
let tempCounter = 0;

/**
 * What a lock file says about its owner.
 *
 * @example
 * ```ts
 * const owner: LockOwner = { pid: 4242, hostname: 'web-1', startedAt, heartbeatAt, generation: 7 };
 * ```
 */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** Clock time the owner took the lock. */
  readonly startedAt: number;
  /** Clock time of the owner's last heartbeat. */
  readonly heartbeatAt: number;
  readonly generation: number;
  /** Set when the owner closed the store cleanly. */
  readonly released?: boolean;
}

/** Lock timing; the defaults suit production, tests shorten them. */
export interface DirectoryLockOptions {
  readonly clock: Clock;
  /** How often the owner refreshes its heartbeat. Default 5 s. */
  readonly heartbeatMs?: number;
  /** A heartbeat older than this is stale and the lock may be taken over. Default 30 s. */
  readonly staleAfterMs?: number;
  /** Called once if another process took the lock over (this one looked dead). */
  readonly onLost?: (owner: LockOwner) => void;
}

/**
 * An exclusive lock on a directory, held until {@link DirectoryLock.release}.
 *
 * @example
 * ```ts
 * const lock = await DirectoryLock.acquire('./data', { clock: realClock });
 * try { await work(); } finally { await lock.release(); }
 * ```
 */
export class DirectoryLock {
  readonly #dir: string;
  readonly #options: DirectoryLockOptions;
  #owner: LockOwner;
  #timer: TimerHandle | undefined;
  #lost = false;
  #stopped = false;
  /** The heartbeat being written, awaited by release so it cannot land after "released". */
  #beating: Promise<void> = Promise.resolve();

  private constructor(dir: string, owner: LockOwner, options: DirectoryLockOptions) {
    this.#dir = dir;
    this.#owner = owner;
    this.#options = options;
  }

  /** Takes the lock or throws `ERR_STORE_LOCKED` naming the live owner. */
  static async acquire(dir: string, options: DirectoryLockOptions): Promise<DirectoryLock> {
    const staleAfterMs = options.staleAfterMs ?? 30_000;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const top = Math.max(0, ...(await generations(dir)));
      if (top > 0) {
        const current = await readOwner(dir, top);
        if (current === 'missing') continue; // replaced under us: look again
        if (current && isAlive(current, options.clock.now(), staleAfterMs)) throw lockedError(dir, current);
      }
      const now = options.clock.now();
      const mine: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: now, heartbeatAt: now, generation: top + 1 };
      if (!(await publish(dir, mine))) continue; // another opener won this generation
      if (Math.max(...(await generations(dir))) !== mine.generation) {
        await rm(lockPath(dir, mine.generation), { force: true });
        continue;
      }
      for (const older of await generations(dir)) {
        if (older < mine.generation) await rm(lockPath(dir, older), { force: true });
      }
      const lock = new DirectoryLock(dir, mine, options);
      lock.#schedule();
      return lock;
    }
    throw new StoreLockedError(`Could not lock data directory ${dir}: ${MAX_ATTEMPTS} attempts lost to concurrent openers.`);
  }

  /** The owner record this process wrote. */
  get owner(): LockOwner {
    return this.#owner;
  }

  /** True once another process took the lock over. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Stops the heartbeat and marks the lock released (if still ours). */
  async release(): Promise<void> {
    this.#stop();
    await this.#beating;
    if (this.#lost || !(await this.#stillOurs())) return;
    await writeOwner(this.#dir, { ...this.#owner, released: true });
  }

  #schedule(): void {
    this.#timer = this.#options.clock.setTimer(this.#options.heartbeatMs ?? 5_000, () => {
      this.#timer = undefined;
      this.#beating = this.#beat();
    });
  }

  async #beat(): Promise<void> {
    try {
      if (this.#stopped || !(await this.#stillOurs()) || this.#stopped) return;
      this.#owner = { ...this.#owner, heartbeatAt: this.#options.clock.now() };
      await writeOwner(this.#dir, this.#owner);
    } catch {
      // A missed heartbeat only ages the lock; the next one retries.
    }
    if (!this.#lost && this.#timer === undefined && !this.#stopped) this.#schedule();
  }

  #stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  async #stillOurs(): Promise<boolean> {
    const top = Math.max(0, ...(await generations(this.#dir)));
    if (top <= this.#owner.generation) return true;
    this.#lost = true;
    this.#stop();
    const taker = await readOwner(this.#dir, top);
    if (taker && taker !== 'missing') this.#options.onLost?.(taker);
    return false;
  }
}

function lockPath(dir: string, generation: number): string {
  return join(dir, `${PREFIX}${generation}`);
}

async function generations(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names.filter((name) => /^steward\.lock\.\d+$/.test(name)).map((name) => Number(name.slice(PREFIX.length)));
}

/** The owner of a generation; `undefined` if unreadable (treated as dead), 'missing' if gone. */
async function readOwner(dir: string, generation: number): Promise<LockOwner | undefined | 'missing'> {
  try {
    const owner = JSON.parse(await readFile(lockPath(dir, generation), 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.heartbeatAt === 'number' ? owner : undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : undefined;
  }
}

function isAlive(owner: LockOwner, now: number, staleAfterMs: number): boolean {
  if (owner.released) return false;
  if (now - owner.heartbeatAt > staleAfterMs) return false;
  if (owner.hostname !== hostname()) return true; // only the heartbeat can tell for another host
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, just not ours to signal
  }
}

function lockedError(dir: string, owner: LockOwner): StoreLockedError {
  const started = new Date(owner.startedAt).toISOString();
  const beat = new Date(owner.heartbeatAt).toISOString();
  return new StoreLockedError(
    `Data directory ${dir} is locked by pid ${owner.pid} on host ${owner.hostname} (started ${started}, last heartbeat ${beat}); only one runtime may use a data directory.`,
  );
}

/** Publishes a new generation atomically; false if that generation already exists. */
async function publish(dir: string, owner: LockOwner): Promise<boolean> {
  const temp = join(dir, `.${PREFIX}${owner.generation}.${process.pid}.${++tempCounter}.tmp`);
  await writeFile(temp, JSON.stringify(owner), { flush: true });
  try {
    await link(temp, lockPath(dir, owner.generation));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
  await fsyncDir(dir);
  return true;
}

/** Rewrites our own generation (heartbeat, release) with an atomic rename. */
async function writeOwner(dir: string, owner: LockOwner): Promise<void> {
  const temp = join(dir, `.${PREFIX}${owner.generation}.${process.pid}.${++tempCounter}.tmp`);
  await writeFile(temp, JSON.stringify(owner));
  await rename(temp, lockPath(dir, owner.generation));
}
