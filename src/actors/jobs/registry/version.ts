/**
 * What build this process runs: the git SHA of its working tree, else the
 * `BUILD_ID` the deployment set, else `build-<timestamp>`; plus node
 * version, platform and arch. Read once at startup.
 */
import { execFileSync } from 'node:child_process';
import { realClock, type Clock } from '../../../index.js';
import type { VersionInfo } from './schemas.js';

/**
 * Options of {@link detectVersion}.
 *
 * @example
 * ```ts
 * detectVersion({ cwd: '/srv/app', env: process.env });
 * ```
 */
export interface DetectVersionOptions {
  /** Where to ask git. Default: the current directory. */
  readonly cwd?: string;
  /** Where `BUILD_ID` is read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Stamps `build-<timestamp>` when neither git nor `BUILD_ID` answers. Default: the real clock. */
  readonly clock?: Clock;
}

const VERSION = /^[A-Za-z0-9_.:+-]{1,100}$/;

/**
 * This process's version metadata.
 *
 * @example
 * ```ts
 * const version = detectVersion(); // { version: 'a1b2c3d', source: 'git', nodeVersion: 'v20.19.0', platform: 'linux', arch: 'x64' }
 * ```
 */
export function detectVersion(options: DetectVersionOptions = {}): VersionInfo {
  const runtime = { nodeVersion: process.version, platform: process.platform, arch: process.arch };
  const sha = gitSha(options.cwd);
  if (sha) return { version: sha, source: 'git', ...runtime };
  const buildId = (options.env ?? process.env)['BUILD_ID']?.trim();
  if (buildId && VERSION.test(buildId)) return { version: buildId, source: 'build-id', ...runtime };
  const stamp = new Date((options.clock ?? realClock).now()).toISOString().replace(/[-:]|\.\d+/g, '');
  return { version: `build-${stamp}`, source: 'timestamp', ...runtime };
}

function gitSha(cwd: string | undefined): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      ...(cwd === undefined ? {} : { cwd }),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
    return VERSION.test(out) ? out : undefined;
  } catch {
    return undefined; // no git, or not a repository: the next source answers
  }
}
