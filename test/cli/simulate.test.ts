import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
/** The compiled command and a compiled module of race scenarios (`npm test` builds first). */
const simulate = ['dist/src/cli/simulate.js'];
const races = ['--module', 'dist/test/scenario/fixtures/classic-races.js'];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...simulate, ...args], { cwd: root, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run simulate', () => {
  it('explores a built-in scenario and prints the summary table', async () => {
    const { code, stdout } = await cli(['--scenario', 'cook-concurrent-starts', '--seeds', '40']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/schedules run\s+40/);
    expect(stdout).toMatch(/violations\s+0/);
    expect(stdout).toMatch(/schedules\/s\s+\d+/);
    expect(stdout).toMatch(/determinism\s+ok \(5 seeds replayed, same trace hashes\)/);
    expect(stdout).toMatch(/coverage\s+share of schedules/);
    expect(stdout).toMatch(/action owner starts #1\s+100\.0 % of schedules\n/);
    expect(stdout).toMatch(/goal a started cook ends completed, or failed with a reason\s+100\.0 % of schedules\n/);
  });

  it('runs a scenario whose pool task loads its module from disk (the module loader is not refused)', async () => {
    // Outside vitest, import() of the task module reads it through the public fs.promises: once refused, every run imported it again, forever.
    const { code, stdout } = await cli(['--scenario', 'cookie-system-crash', '--seeds', '30']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/violations\s+0/);
    expect(stdout).toMatch(/determinism\s+ok/);
  });

  it('prints a replay line for the shrunk run that replays it', async () => {
    const found = await cli([...races, '--scenario', 'naive-completion', '--seeds', '50', '--strategy', 'random']);
    const line = /the shrunk run: npm run simulate -- --replay "([^"]+)"/.exec(found.stdout)?.[1];
    // Guided (with its picks) when shrinking made it shorter; the original line when it could not.
    expect(line).toMatch(/^scenario=naive-completion strategy=(guided seed=\d+ picks=[f\d.]+|random seed=\d+)$/);
    const replayed = await cli([...races, '--replay', line as string]);
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain('violation: [invariant] counted once');
  });

  it('exits 1 on a violation with a replay line that reproduces the same trace', async () => {
    const found = await cli([...races, '--scenario', 'naive-completion', '--seeds', '50', '--strategy', 'random']);
    expect(found.code).toBe(1);
    const line = /--replay "([^"]+)"/.exec(found.stdout)?.[1];
    expect(line).toMatch(/^scenario=naive-completion strategy=random seed=\d+$/);
    const hash = /replay: .*\(trace ([0-9a-f]{8})/.exec(found.stdout)?.[1];
    const replayed = await cli([...races, '--replay', line as string]);
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain(`(trace ${hash}`);
    expect(replayed.stdout).toContain("violation: [invariant] counted once: job-1 counted 2 times");
  });

  it('refuses an unknown scenario or strategy with usage and exit code 2', async () => {
    const unknown = await cli(['--scenario', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown scenario 'nope'");
    const badStrategy = await cli(['--scenario', 'cook-three-paths', '--strategy', 'chaos']);
    expect(badStrategy.code).toBe(2);
    expect(badStrategy.stderr).toContain('usage: npm run simulate');
  });
});
