/** `npm start` as a newcomer runs it: the dashboard URL while it runs, the worker registry's refusal and drift, a table per domain, exit 0 by itself. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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

  // The demo bounds itself at 25 s; beside the full suite on a shared machine it is given longer, so its outcome is what is tested.
  it('prints the dashboard URL, shows every domain at the end and exits 0', { timeout: 150_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-demo-'));
    const { stdout } = await run(process.execPath, ['dist/demo/demo.js'], { cwd: root, env: { ...process.env, STEWARD_DATA_DIR: dir, STEWARD_DEMO_DEADLINE_MS: '120000' }, timeout: 140_000 });
    expect(stdout).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/ /m);
    expect(stdout).toMatch(/^workers: a second 'media' worker \(pid \d+\) was refused: ERR_WORKER_ACTIVE$/m);
    expect(stdout).toMatch(/^workers: version drift reported/m);
    expect(stdout).toMatch(/^Cooks: total 5, running 0, paused 0, completed 5, failed 0$/m);
    expect(stdout).toMatch(/^Workers and versions: active 2, stopping 0, versions 2$/m);
    expect(stdout).toMatch(/^ {2}! version drift in demo: 2 versions RUNNING/m);
    expect(stdout).toMatch(/^Reminders: pending 0, due 0, retrying 0$/m);
    expect(stdout).toMatch(/^Runtime: \d+ turns \(mean [\d.]+ ms\), \d+ commits/m);
    expect(stdout).toContain('invariants checked:');
    expect(stdout).toContain('violations: 0');
  });
});
