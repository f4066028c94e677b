#!/usr/bin/env node
/**
 * Runs `npm run build` unless dist/ is current, for the scripts that run
 * compiled code (`npm start`, `bench`, `simulate`, `inspect`). `npm test`
 * builds always.
 *
 * Current means: a stamp written after the last successful build through this
 * script is newer than every input. Inputs are tsconfig.json, package.json,
 * package-lock.json and every file and folder under tsconfig's `include`
 * (a folder's mtime moves when an entry is added, removed or renamed, so a
 * deleted source counts too). The stamp is dated when that build started, so
 * a file saved while tsc was running is newer than it and rebuilds next time.
 * tsc's own up-to-date run is no substitute: it costs seconds, and it
 * rewrites neither .tsbuildinfo nor any output when sources were only
 * touched, so their mtimes cannot tell current from stale.
 *
 * Run from the package root. `--check` only reports (`current` exit 0,
 * `stale: <path>` exit 1).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();

/** tsconfig's outDir and include folders, or undefined if it cannot be read or has no outDir (then the build always runs). */
function projectLayout() {
  try {
    const config = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
    if (typeof config.compilerOptions?.outDir !== 'string') return undefined;
    const include = (config.include ?? ['.']).map((entry) => entry.split('/').filter((part) => !part.includes('*')).join('/') || '.');
    return { outDir: config.compilerOptions.outDir, include };
  } catch {
    return undefined;
  }
}

const SKIPPED = new Set(['node_modules', '.git']);

/**
 * The first input at `path` (a file, or a folder walked whole but for
 * node_modules, .git and the output folder) modified at or after `since`
 * (at: a file system with coarse mtimes cannot order the two).
 */
function newerThan(path, since, outDir) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  if (path === outDir) return undefined;
  if (stat.mtimeMs >= since) return path;
  if (!stat.isDirectory()) return undefined;
  for (const entry of readdirSync(path)) {
    if (SKIPPED.has(entry)) continue;
    const hit = newerThan(join(path, entry), since, outDir);
    if (hit) return hit;
  }
  return undefined;
}

/** Why dist must be rebuilt, or undefined if it is current. */
function staleness(layout, stamp) {
  if (!layout) return 'tsconfig.json cannot be read or names no outDir';
  if (!existsSync(stamp)) return `no ${relative(root, stamp)}`;
  const since = statSync(stamp).mtimeMs;
  for (const input of ['tsconfig.json', 'package.json', 'package-lock.json', ...layout.include]) {
    const hit = newerThan(join(root, input), since, join(root, layout.outDir));
    if (hit) return `${relative(root, hit) || '.'} changed`;
  }
  return undefined;
}

const layout = projectLayout();
const stamp = join(root, layout?.outDir ?? 'dist', '.build-stamp');
const reason = staleness(layout, stamp);

if (process.argv.includes('--check')) {
  console.log(reason === undefined ? 'current' : `stale: ${reason}`);
  process.exit(reason === undefined ? 0 : 1);
}
if (reason === undefined) {
  console.error('dist is current: not rebuilding');
  process.exit(0);
}
console.error(`building (${reason})`);
const startedAt = new Date();
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
closeSync(openSync(stamp, 'w'));
utimesSync(stamp, startedAt, startedAt);
