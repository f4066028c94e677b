/**
 * Whether the owner named in a data directory's lock file still lives: its
 * liveness socket on this host, else its pid (a lock written before liveness
 * sockets), and on another host only its heartbeat, against its own bound.
 */
import { hostname } from 'node:os';
import type { Clock } from '../runtime/ports/index.js';
import { StoreLockedError } from './errors.js';
import type { LockOwner } from './lock-file.js';
import { readOwner } from './lock-file.js';
import { probeLiveness } from './liveness-socket.js';

/** When this process started, to tell it from an earlier process that had the same pid. */
export const PROCESS_STARTED_AT = Math.round(performance.timeOrigin);

/**
 * Whether the owner of generation `top` is alive: its record when it is
 * (`ERR_STORE_LOCKED` names it), `dead`, or `retry` (the file went away).
 * An unreadable record or an inconclusive probe throws: locked, reason unknown.
 */
export async function judgeOwner(dir: string, top: number, clock: Clock, staleAfterMs: number): Promise<LockOwner | 'dead' | 'retry'> {
  const read = await readOwner(dir, top);
  if (read.kind === 'missing') return 'retry';
  if (read.kind === 'unreadable') {
    throw new StoreLockedError(`Data directory ${dir} may be locked: its lock file ${read.path} cannot be read (${read.errno}), so whether its owner lives is unknown. Fix the file's permissions or remove it once no runtime uses ${dir}.`);
  }
  const owner = read.owner;
  if (owner.released) return 'dead';
  const sameHost = owner.hostname === hostname();
  if (sameHost && owner.pid === process.pid && owner.processStartedAt !== undefined && owner.processStartedAt !== PROCESS_STARTED_AT) return 'dead'; // an earlier incarnation of this pid
  if (owner.socket !== undefined) {
    const probe = await probeLiveness(owner.socket);
    if (probe === 'alive') return owner;
    if (probe !== 'gone') {
      throw new StoreLockedError(`Data directory ${dir} may be locked by pid ${owner.pid} on host ${owner.hostname}: probing its socket ${owner.socket} failed (${probe.errno}), so whether it lives is unknown.`);
    }
    if (sameHost) return 'dead';
  } else if (sameHost) {
    return pidExists(owner.pid) ? owner : 'dead'; // a lock written before liveness sockets
  }
  // Another host: only its heartbeat can tell, against its own bound.
  return clock.now() - owner.heartbeatAt > (owner.staleAfterMs ?? staleAfterMs) ? 'dead' : owner;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
