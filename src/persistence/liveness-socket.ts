/**
 * Same-host liveness without clocks. The owner of a data directory listens on
 * a Unix domain socket in that directory for as long as its process exists;
 * the kernel closes the listener when the process dies, however it dies. A
 * prober's connect() then tells the two cases apart with no timestamp
 * involved: a listening socket accepts the connection (or, when its backlog is
 * full because the owner is frozen by SIGSTOP, refuses with EAGAIN), a dead
 * owner's socket file answers ECONNREFUSED. A frozen owner therefore keeps its
 * directory however long it is frozen, and a dead one is known dead at once.
 *
 * Why a socket rather than flock(2): Node has no flock, and the native modules
 * that add it are small, rarely updated and need a compiler at install time;
 * a socket needs nothing beyond `node:net` and gives the same kernel-backed
 * answer. Like flock it says nothing across hosts (a socket file on a network
 * file system is not connected to the other host's listener), which is where
 * the heartbeat takes over (see dir-lock.ts).
 * @internal
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';

/** sun_path holds 108 bytes on Linux and 104 on the BSDs, the terminating NUL included. */
const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

/** A listening liveness socket. @internal */
export interface LivenessSocket {
  /** What probers connect to (recorded in the lock file). */
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Listens on a fresh socket in `dir`. When the path would not fit in
 * sun_path, falls back to Linux's abstract namespace (a name tied to the
 * directory's path, gone when the process is; it is not visible across
 * network namespaces, which the README states).
 * @internal
 */
export async function listenLiveness(dir: string): Promise<LivenessSocket> {
  const name = `steward.${process.pid}.${randomBytes(4).toString('hex')}.sock`;
  let path = join(dir, name);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    path = `\0steward.${createHash('sha256').update(dir).digest('hex').slice(0, 24)}.${name}`;
  }
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined); // a failed accept must not crash the owner
  server.unref(); // an open store alone does not keep a process alive (as its heartbeat timer does not)
  let closing: Promise<void> | undefined;
  return {
    path,
    close: () =>
      (closing ??= new Promise<void>((resolve) => server.close(() => resolve())).then(async () => {
        if (!path.startsWith('\0')) await rm(path, { force: true }).catch(() => undefined);
      })),
  };
}

/**
 * What connecting to an owner's socket says: `alive` (it answered or is
 * frozen with a full backlog), `gone` (no listener, or no socket file), or
 * the errno that made it impossible to tell.
 * @internal
 */
export function probeLiveness(path: string): Promise<'alive' | 'gone' | { readonly errno: string }> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve('alive');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve('gone');
      else if (error.code === 'EAGAIN') resolve('alive');
      else resolve({ errno: error.code ?? 'unknown' });
    });
  });
}

/** Removes a dead owner's socket file (abstract names vanish on their own). @internal */
export async function removeSocket(path: string): Promise<void> {
  if (!path.startsWith('\0')) await rm(path, { force: true });
}
