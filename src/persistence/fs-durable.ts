/**
 * The few file-system moves durability is built from. A file's data is on disk
 * only after fsync; a file's *name* is on disk only after its directory is
 * fsynced, so every create, rename and unlink that matters syncs the directory.
 * @internal
 */
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Fsyncs a directory so entries created, renamed or removed in it survive a crash. @internal */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes all of `data` at the handle's position, looping over short writes. @internal */
export async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) {
    const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset);
    offset += bytesWritten;
  }
}

/**
 * Replaces `path` atomically: write a temp file, fsync it, rename it over
 * `path`, fsync the directory. A crash leaves the old or the new file, never a
 * mix. `write` fills the temp file (in as many writes as it likes);
 * `beforeRename` may still refuse (the writer's lock is no longer fresh).
 * @internal
 */
export async function replaceFileDurably(
  path: string,
  write: (handle: FileHandle) => Promise<void>,
  beforeRename: () => Promise<void> = async () => undefined,
): Promise<void> {
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await write(handle);
    await handle.sync();
    await handle.close();
    await beforeRename();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await rename(temp, path);
  await fsyncDir(dirname(path));
}
