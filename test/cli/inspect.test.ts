import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/persistence/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

async function inspect(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/src/cli/inspect.js', ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

/** Starts the live owner fixture on `dir` and resolves once its first commit is durable. */
async function startOwner(dir: string, secret: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['dist/test/cli/fixtures/live-owner.js', dir, secret], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout?.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`owner exited early (${code})`)));
  });
  return { child, output: () => output };
}

describe('npm run inspect', () => {
  const open: LowdbStore[] = [];
  const children: ChildProcess[] = [];
  let dir: string | undefined;
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    for (const store of open.splice(0)) await store.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists collections and domains, and never prints stored values', async () => {
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
    expect(stdout).toContain('no live owner');
    expect(stdout).toMatch(/collections\s+1/);
    expect(stdout).toMatch(/secrets\s+1/);
    expect(stdout).toContain('Cooks: total 0');
    expect(stdout).toContain('Reminders: pending 0, due 0, retrying 0');
    expect(stdout).toContain('Job queues: queues 0, queued 0, running 0, completed 0, failed 0, cancelled 0, stalled 0, paused 0');
    expect(stdout).toContain('Cookie rotation: total 0, scheduled 0, rotating 0, stopped 0, error 0, failing 0, sealed 0');
    expect(stdout).not.toContain('TOP-SECRET');
  });

  it('reads a directory a live process owns, without its lock and without disturbing it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-inspect-'));
    const secret = `sid=${randomBytes(16).toString('hex')}`;
    const owner = await startOwner(dir, secret);
    children.push(owner.child);
    const locksBefore = (await readdir(dir)).filter((name) => name.includes('lock')).sort();
    const reads = [];
    for (let i = 0; i < 5; i++) reads.push(await inspect(dir), await inspect(dir, '--json'));
    for (const { code, stdout, stderr } of reads) {
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).not.toContain(secret);
    }
    const text = reads[0]?.stdout ?? '';
    expect(text).toContain(`owned by pid ${owner.child.pid}`);
    expect(text).toMatch(/autumn~ann\s+running\s+\d+\/1000000/);
    expect(text).toContain('version drift in default: 2 versions RUNNING (a1b2c3d, e4f5a6b)');
    const json = JSON.parse(reads[1]?.stdout ?? '{}') as { owner: { pid: number }; domains: Array<{ name: string; view: { counts: Record<string, number> } }> };
    expect(json.owner.pid).toBe(owner.child.pid);
    expect(json.domains.find((domain) => domain.name === 'workers')?.view.counts).toMatchObject({ active: 2, versions: 2 });
    // Later reads see later commits: the owner went on writing (and compacting) throughout.
    const first = JSON.parse(reads[1]?.stdout ?? '{}') as { sequence: number };
    const last = JSON.parse(reads[9]?.stdout ?? '{}') as { sequence: number };
    expect(last.sequence).toBeGreaterThan(first.sequence);
    expect((await readdir(dir)).filter((name) => name.includes('lock')).sort()).toEqual(locksBefore);

    owner.child.kill('SIGTERM');
    await new Promise((resolve) => owner.child.once('exit', resolve));
    expect(owner.output()).toMatch(/closed \d+ false/); // its lock was never lost
    expect((await inspect(dir)).stdout).toContain('no live owner');
  });

  it('says so when the directory does not exist', async () => {
    const { code, stderr } = await inspect(join(tmpdir(), `steward-missing-${randomBytes(4).toString('hex')}`));
    expect(code).toBe(1);
    expect(stderr).toContain('ENOENT');
  });
});
