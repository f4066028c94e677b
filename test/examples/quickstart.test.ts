import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the README example (examples/quickstart.ts, compiled)', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('deposits 100 per run, durably, across process restarts', async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-quickstart-'));
    const env = { ...process.env, STEWARD_DATA_DIR: dir };
    const first = await run(process.execPath, ['dist/examples/quickstart.js'], { cwd: root, env });
    const second = await run(process.execPath, ['dist/examples/quickstart.js'], { cwd: root, env });
    expect(first.stdout.trim()).toBe('alice has 100');
    expect(second.stdout.trim()).toBe('alice has 200');
  });
});
