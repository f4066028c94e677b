/**
 * Names that cannot escape the downloads directory. A slug, job id or file
 * name from outside (a post's handle, a queue's job id) becomes one path
 * segment of `[a-z0-9._-]` (Unicode folded with NFKC first, so full-width
 * look-alikes of `.` and `/` become plain characters and are then replaced),
 * never `.` or `..`, never a Windows reserved name, at most 64 characters.
 * When a name had to change it gets a hash of the original, so two different
 * hostile names never collide on one file.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { UnsafePathError } from './errors.js';

const MAX_SEGMENT = 64;
const SAFE = /^[a-z0-9][a-z0-9._-]*$/;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/;

/**
 * One safe path segment for `raw`: itself when it already is one, else a
 * sanitized form plus a hash of `raw`.
 *
 * @example
 * ```ts
 * safeSegment('alice');        // 'alice'
 * safeSegment('../../etc');    // 'etc-1f2e3d4c'
 * safeSegment('CON');          // 'con-…' (reserved on Windows)
 * ```
 */
export function safeSegment(raw: string, fallback = 'item'): string {
  if (raw.length <= MAX_SEGMENT && SAFE.test(raw) && !RESERVED.test(raw) && !raw.endsWith('.')) return raw;
  const cleaned = raw
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, MAX_SEGMENT - 9)
    .replace(/[._-]+$/g, '');
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
  // `lpt9.txt-…` is still LPT9 to Windows: what starts reserved gets a prefix
  const stem = RESERVED.test(cleaned) ? `x-${cleaned}`.slice(0, MAX_SEGMENT - 9) : cleaned;
  return `${stem || fallback}-${hash}`;
}

/**
 * `root/...segments`, refusing any result that is not strictly inside
 * `root`. The segments should come from {@link safeSegment}; this is the
 * second fence, so a future caller's mistake still cannot write outside.
 *
 * @example
 * ```ts
 * const part = pathUnder('/srv/downloads', 'alice', 'job-1.mp4.part');
 * ```
 */
export function pathUnder(root: string, ...segments: string[]): string {
  const target = join(root, ...segments);
  const rel = relative(root, target);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel) || segments.some((s) => s.includes('\0'))) {
    throw new UnsafePathError(`refused a path outside the downloads directory: ${JSON.stringify(segments)}`);
  }
  return target;
}

/**
 * Creates `dir` (under `root`) and checks, after resolving symlinks, that it
 * is still under `root`: a symlink planted in the tree cannot redirect writes.
 *
 * @example
 * ```ts
 * const root = '/srv/downloads';
 * await ensureDirUnder(root, pathUnder(root, 'vimeo-ann', 'thumbnails'));
 * ```
 */
export async function ensureDirUnder(root: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const [realRoot, realDir] = await Promise.all([realRootOf(root), realpath(dir)]);
  const rel = relative(realRoot, realDir);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new UnsafePathError(`refused: ${dir} resolves outside the downloads directory`);
  }
}

/**
 * The root's own realpath is resolved once: the root is configuration, not
 * input. If it is later swapped for a link elsewhere, every directory under
 * it resolves outside the remembered path and is refused (fails closed).
 */
const realRoots = new Map<string, Promise<string>>();
function realRootOf(root: string): Promise<string> {
  let real = realRoots.get(root);
  if (real === undefined) {
    real = realpath(root);
    void real.catch(() => realRoots.delete(root));
    realRoots.set(root, real);
  }
  return real;
}

/**
 * Flags for creating a file in a checked directory: write, create, truncate,
 * and refuse a symlink planted at the name itself (`O_NOFOLLOW`), which the
 * directory check cannot see.
 * @internal
 */
export const CREATE_NO_FOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/** Where one job's files go, all relative to the downloads root. */
export interface MediaPaths {
  readonly root: string;
  readonly slugDir: string;
  readonly part: string;
  readonly output: string;
  readonly thumbnailsDir: string;
  /** The thumbnail path for an extension (itself sanitized). */
  thumbnail(ext: string): string;
  /** Forward-slash path relative to the root, as results report it. */
  relative(path: string): string;
}

/**
 * The paths of one job: `<slug>/<jobId>.mp4.part`, `<slug>/<jobId>.mp4`,
 * `<slug>/thumbnails/<jobId>.<ext>`.
 *
 * @example
 * ```ts
 * const paths = mediaPaths('/srv/downloads', 'x-alice', 'job-1');
 * paths.relative(paths.output); // 'x-alice/job-1.mp4'
 * ```
 */
export function mediaPaths(root: string, slug: string, jobId: string): MediaPaths {
  const slugSeg = safeSegment(slug, 'account');
  const jobSeg = safeSegment(jobId, 'job');
  const slugDir = pathUnder(root, slugSeg);
  const thumbnailsDir = pathUnder(root, slugSeg, 'thumbnails');
  return {
    root,
    slugDir,
    part: pathUnder(root, slugSeg, `${jobSeg}.mp4.part`),
    output: pathUnder(root, slugSeg, `${jobSeg}.mp4`),
    thumbnailsDir,
    thumbnail: (ext) => pathUnder(root, slugSeg, 'thumbnails', `${jobSeg}.${safeSegment(ext, 'img').slice(0, 8)}`),
    relative: (path) => relative(root, path).split(sep).join('/'),
  };
}
