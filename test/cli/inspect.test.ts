import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/persistence/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

async function inspect(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/src/cli/inspect.js', dir], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

describe('npm run inspect', () => {
  const open: LowdbStore[] = [];
  let dir: string | undefined;
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists collections and cooks, and never prints stored values', async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-inspect-'));
    const store = await LowdbStore.open({ dir });
    await store.commit([
      { op: 'put', collection: 'collections', key: 'autumn', value: { id: 'autumn', ownerId: 'ann', supply: 3 } },
      { op: 'put', collection: 'secrets', key: 'cookie-1', value: { raw: 'sid=TOP-SECRET-VALUE' } },
    ]);
    await store.close();
    const { code, stdout } = await inspect(dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/schema v1, commit #1, 2 records/);
    expect(stdout).toMatch(/collections\s+1 records/);
    expect(stdout).toMatch(/secrets\s+1 records/);
    expect(stdout).not.toContain('TOP-SECRET');
  });

  it('names the owner when another runtime holds the directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-inspect-'));
    open.push(await LowdbStore.open({ dir }));
    const { code, stderr } = await inspect(dir);
    expect(code).toBe(1);
    expect(stderr).toContain('ERR_STORE_LOCKED');
    expect(stderr).toContain(String(process.pid));
  });
});
