/**
 * Ctrl-C on `npm start` at any moment: the demo (a real child process) is sent SIGINT as soon as it prints its first line,
 * while its modules are still loading, and stops gracefully with the summary and exit 130; a second SIGINT exits at once,
 * and the worker processes it had forked do not outlive it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Runs the compiled demo, sending SIGINT `times` times (one event-loop turn apart) once stdout shows `line`. */
async function interruptDemo(line: RegExp, times: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-demo-int-'));
  dirs.push(dir);
  const child = spawn(process.execPath, ['dist/demo/demo.js'], { cwd: root, env: { ...process.env, STEWARD_DATA_DIR: dir, STEWARD_DEMO_DEADLINE_MS: '120000' } });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (sent || !line.test(stdout)) return;
    sent = true;
    for (let i = 0; i < times; i++) setTimeout(() => child.kill('SIGINT'), i * 20);
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (...args) => resolve(args)));
  return { code, signal, stdout, stderr };
}

/** Whether `pid` still runs (a zombie waiting to be reaped does not); polls while a SIGKILL it was sent takes effect. */
async function stillRuns(pid: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined || /^\d+ \(.*\) [ZX]/.test(stat)) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

describe('Ctrl-C on the demo (demo/demo.ts, compiled)', () => {
  it('SIGINT while it is still loading: no worker started, the summary of where the data stands, exit 130', { timeout: 120_000 }, async () => {
    const { code, signal, stdout } = await interruptDemo(/^steward demo \(Ctrl-C/m, 1);
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(stdout).not.toMatch(/^workers: /m);
    expect(stdout).toMatch(/^interrupted: progress is saved in .*; run again to resume$/m);
    expect(stdout).toMatch(/^ {2}cook +pieces +status/m);
    expect(stdout).toMatch(/^Cooks: total \d+/m);
    expect(stdout).toMatch(/^invariants checked: \d+ \(cooks \d+, media \d+, cookies \d+\), violations: 0$/m);
  });

  it('a second SIGINT exits 130 at once, and the worker processes racing then are gone with it', { timeout: 120_000 }, async () => {
    const { code, signal, stdout, stderr } = await interruptDemo(/^workers: two 'media' worker processes \(pids \d+ and \d+\) race to register$/m, 2);
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(stderr).toMatch(/^interrupted again: exiting now/m);
    const pids = (/pids (\d+) and (\d+)/.exec(stdout) ?? []).slice(1).map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await stillRuns(pid)).toBe(false);
  });
});
