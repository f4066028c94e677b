/**
 * `npm start` as a newcomer runs it: the dashboard URL while it runs, the worker processes' race (one refused naming the
 * other) and drift, none of them left running after, the media queue's
 * jobs and the cookies' rotations (with the missing config and the latest failures), a table per domain, invariants counted per
 * domain, exit 0 by itself, and no cookie value anywhere in its output.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the demo (demo/demo.ts, compiled)', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // The demo bounds itself at 40 s; beside the full suite on a shared machine it is given longer, so its outcome is what is tested.
  it('prints the dashboard URL, shows every domain at the end, never a cookie value, and exits 0', { timeout: 150_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-demo-'));
    // Without STEWARD_SECRET_KEY the store holds cookie values as they are: the test reads them there to search the output for them.
    const { STEWARD_SECRET_KEY: _key, ...env } = process.env;
    const { stdout, stderr } = await run(process.execPath, ['dist/demo/demo.js'], { cwd: root, env: { ...env, STEWARD_DATA_DIR: dir, STEWARD_DEMO_DEADLINE_MS: '120000' }, timeout: 140_000 });
    expect(stdout).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/ /m);
    const [, racers = ''] = /^workers: two 'media' worker processes \(pids (\d+ and \d+)\) race to register$/m.exec(stdout) ?? [];
    const [, refused, holder, holderPid] = /^workers: a second 'media' worker \(pid (\d+)\) was refused: ERR_WORKER_ACTIVE, held by (worker-\S+) \(pid (\d+)\)$/m.exec(stdout) ?? [];
    expect(racers.split(' and ').sort()).toEqual([refused, holderPid].sort());
    const [, admitted = ''] = /^workers: 2 admitted \((.*)\)$/m.exec(stdout) ?? [];
    expect(admitted).toContain(`${holder} pid ${holderPid}`);
    expect(stdout).toMatch(/^workers: version drift reported, RUNNING (\S+) and \1-next$/m);
    const workerPids = [...racers.split(' and '), ...[...admitted.matchAll(/pid (\d+)/g)].map((match) => match[1])].map(Number);
    expect(workerPids.filter(isAlive)).toEqual([]); // every worker process ended with the demo
    expect(stdout).toMatch(/^Cooks: total 5, running 0, paused 0, completed 5, failed 0$/m);
    expect(stdout).toMatch(/^Workers and versions: active 2, stopping 0, versions 2$/m);
    expect(stdout).toMatch(/^ {2}! version drift in demo: 2 versions RUNNING/m);
    expect(stdout).toMatch(/^Reminders: pending 0, due 0, retrying 0$/m);
    expect(stdout).toMatch(/^Runtime: \d+ turns \(mean [\d.]+ ms\), \d+ commits/m);
    expect(stdout).toMatch(/^media: media queue took this round's posts from the local media host/m);
    expect(stdout).toMatch(/^Media queue 'media': 7 jobs, 6 completed, 1 failed, 1 retried by the queue$/m);
    expect(stdout).toMatch(/^ {2}job-\S+ +HTML junk served as video\/mp4, every time +failed ERR_MEDIA_INVALID +1 +yes/m);
    expect(stdout).toMatch(/^cookies: two rotate requests for shop-ann at once: one rotation .*, the second joined it: true$/m);
    expect(stdout).toMatch(/^cookies: vault-dev has no provider config: failed, "no provider is registered for service 'vault'/m);
    expect(stdout).toMatch(/^Cookie rotation: 4 cookies, [1-9]\d* rotations succeeded, [1-9]\d* failed this run$/m);
    expect(stdout).toMatch(/^ {2}forum-cora +forum +(scheduled|rotating) +\d+/m);
    expect(stdout).toMatch(/^ {2}! vault-dev: no provider is registered for service 'vault'/m);
    expect(stdout).toMatch(/^ {2}latest failed rotations:\n.*\n.*\n {2}forum-cora +\d+ +unreachable/m);
    expect(stdout).toMatch(/^invariants checked: \d+ \(cooks [1-9]\d*, media [1-9]\d*, cookies [1-9]\d*\), violations: 0$/m);

    const values = await storedCookieValues(dir);
    expect(values.length).toBeGreaterThan(0);
    expect(values.filter((value) => stdout.includes(value) || stderr.includes(value))).toEqual([]);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every cookie value the local providers issued that the store kept (`<account>.<n>.<16 base64url characters>`). */
async function storedCookieValues(dir: string): Promise<string[]> {
  const found = new Set<string>();
  for (const name of await readdir(dir)) {
    if (!/\.(json|ndjson)$/.test(name)) continue;
    for (const match of (await readFile(join(dir, name), 'utf8')).matchAll(/\b(?:ann|ben|cora|dev)\.\d+\.[A-Za-z0-9_-]{16}\b/g)) found.add(match[0]);
  }
  return [...found];
}
