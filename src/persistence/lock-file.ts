/**
 * The lock's files: `steward.lock.<generation>`, one JSON owner record each;
 * the highest generation is the current owner. A generation is published with
 * link(2), which is atomic and fails if the name exists, so among racers for
 * generation n+1 exactly one wins and nobody sees a half-written record.
 * Temp files are removed whatever happens, so a full disk leaves none behind.
 * @internal
 */
import { link, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from './fs-durable.js';

const PREFIX = 'steward.lock.';
const GENERATION = /^steward\.lock\.(\d+)$/;
const TEMP = /^\.steward\.lock\.\d+\.\d+\.\d+\.tmp$/;
let tempCounter = 0;

/**
 * What a lock file says about its owner.
 *
 * @example
 * ```ts
 * const now = Date.now();
 * const owner: LockOwner = { pid: 4242, hostname: 'web-1', processStartedAt: now - 60_000, startedAt: now, heartbeatAt: now, staleAfterMs: 30_000, generation: 7, socket: '/tmp/steward-4242.sock' };
 * ```
 */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** When the owner's process started (ms since the epoch): tells a pid's incarnations apart. */
  readonly processStartedAt?: number;
  /** Clock time the owner took the lock. */
  readonly startedAt: number;
  /** Clock time of the owner's last heartbeat (read only by openers on other hosts). */
  readonly heartbeatAt: number;
  /** The owner's staleness bound: openers on other hosts take over only after it, whatever their own setting. */
  readonly staleAfterMs?: number;
  readonly generation: number;
  /** The owner's liveness socket (see liveness-socket.ts); absent in locks written by older versions. */
  readonly socket?: string;
  /** Set when the owner closed the store cleanly. */
  readonly released?: boolean;
}

/** A generation's record, or why there is none. @internal */
export type OwnerRead =
  | { readonly kind: 'owner'; readonly owner: LockOwner }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly path: string; readonly errno: string };

/** The lock file of `generation`. @internal */
export function lockPath(dir: string, generation: number): string {
  return join(dir, `${PREFIX}${generation}`);
}

/** Every generation present in `dir`. @internal */
export async function generations(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir(dir)) {
    const match = GENERATION.exec(name);
    if (match) found.push(Number(match[1]));
  }
  return found;
}

/** The highest generation in `dir`, 0 if none. @internal */
export async function topGeneration(dir: string): Promise<number> {
  return Math.max(0, ...(await generations(dir)));
}

/**
 * Reads a generation's owner. A file that cannot be read or parsed is
 * `unreadable`, never taken for a dead owner: only a missing file is missing.
 * @internal
 */
export async function readOwner(dir: string, generation: number): Promise<OwnerRead> {
  const path = lockPath(dir, generation);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code ?? 'unknown';
    return errno === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', path, errno };
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    if (Number.isInteger(owner.pid) && typeof owner.hostname === 'string' && typeof owner.heartbeatAt === 'number') return { kind: 'owner', owner };
  } catch {
    // falls through: not a record we can trust
  }
  return { kind: 'unreadable', path, errno: 'EBADMSG (not a lock record)' };
}

function tempPath(dir: string, generation: number): string {
  return join(dir, `.${PREFIX}${generation}.${process.pid}.${++tempCounter}.tmp`);
}

/** Publishes a new generation atomically; false if that generation already exists (or a racer cleaned our temp file). @internal */
export async function publishOwner(dir: string, owner: LockOwner): Promise<boolean> {
  const temp = tempPath(dir, owner.generation);
  try {
    await writeFile(temp, JSON.stringify(owner), { flush: true });
    await link(temp, lockPath(dir, owner.generation));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw error;
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
  await fsyncDir(dir);
  return true;
}

/** Rewrites our own generation in place (heartbeat, release) with an atomic rename of a flushed temp file. @internal */
export async function rewriteOwner(dir: string, owner: LockOwner): Promise<void> {
  const temp = tempPath(dir, owner.generation);
  try {
    await writeFile(temp, JSON.stringify(owner), { flush: true });
    await rename(temp, lockPath(dir, owner.generation));
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Removes generations below `keep` and temp files left by earlier owners (a new owner's first chore). @internal */
export async function removeLeftovers(dir: string, keep: number): Promise<void> {
  for (const name of await readdir(dir)) {
    const match = GENERATION.exec(name);
    if ((match && Number(match[1]) < keep) || TEMP.test(name)) await rm(join(dir, name), { force: true });
  }
}
