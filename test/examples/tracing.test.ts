import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the tracing example (examples/tracing.ts, compiled)', () => {
  it('sees turns, a crash and a dead letter from outside, through diagnostics channels only', async () => {
    const { stdout } = await run(process.execPath, ['dist/examples/tracing.js'], { cwd: root });
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(["crash: greeter/g1 handling 'fail'", 'dead letter: greeter/g1 (stopped)']);
    expect(lines[2]).toMatch(/^turns traced: 4, total \d+\.\d\d ms$/);
  });
});
