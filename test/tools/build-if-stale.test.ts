import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOOL = join(ROOT, 'tools/build-if-stale.js');

/** Runs the tool in `dir`; what it said on stderr and its exit code. */
async function buildIfStale(dir: string): Promise<{ said: string; code: number }> {
  return run(process.execPath, [TOOL], { cwd: dir }).then(
    ({ stderr }) => ({ said: stderr, code: 0 }),
    (error: { stderr: string; code: number }) => ({ said: error.stderr, code: error.code }),
  );
}

describe('tools/build-if-stale.js', () => {
  let dir: string;

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function project(): string {
    dir = mkdtempSync(join(tmpdir(), 'steward-build-if-stale-'));
    const tsc = join(ROOT, 'node_modules/.bin/tsc');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', private: true, type: 'module', scripts: { build: `${tsc} -p tsconfig.json --incremental --tsBuildInfoFile dist/.tsbuildinfo` } }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { outDir: 'dist', rootDir: '.', module: 'NodeNext', target: 'ES2022', strict: true, types: [] }, include: ['src'] }));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/a.ts'), 'export const value: number = 1;\n');
    return dir;
  }

  it('builds a tree with no stamp, then skips it while nothing changed', async () => {
    project();
    expect((await buildIfStale(dir)).said).toContain('building (no dist/.build-stamp)');
    expect(readFileSync(join(dir, 'dist/src/a.js'), 'utf8')).toContain('= 1');
    expect(await buildIfStale(dir)).toEqual({ said: 'dist is current: not rebuilding\n', code: 0 });
  }, 60_000);

  it('rebuilds after a source is edited, added or deleted, or tsconfig changes', async () => {
    project();
    await buildIfStale(dir);
    writeFileSync(join(dir, 'src/a.ts'), 'export const value: number = 2;\n');
    expect((await buildIfStale(dir)).said).toContain('building (src/a.ts changed)');
    expect(readFileSync(join(dir, 'dist/src/a.js'), 'utf8')).toContain('= 2');
    writeFileSync(join(dir, 'src/b.ts'), 'export const other = 3;\n');
    expect((await buildIfStale(dir)).said).toContain('building (src changed)');
    expect(existsSync(join(dir, 'dist/src/b.js'))).toBe(true);
    unlinkSync(join(dir, 'src/b.ts'));
    expect((await buildIfStale(dir)).said).toContain('building (src changed)');
    writeFileSync(join(dir, 'tsconfig.json'), readFileSync(join(dir, 'tsconfig.json'), 'utf8').replace('"strict":true', '"strict":false'));
    expect((await buildIfStale(dir)).said).toContain('building (tsconfig.json changed)');
    expect((await buildIfStale(dir)).said).toContain('not rebuilding');
  }, 60_000);

  it('fails with the build and builds again next time (a failed build is never taken as current)', async () => {
    project();
    writeFileSync(join(dir, 'src/a.ts'), 'export const value: number = "one";\n');
    expect((await buildIfStale(dir)).code).not.toBe(0);
    const again = await buildIfStale(dir);
    expect(again.said).toContain('building (no dist/.build-stamp)');
    expect(again.code).not.toBe(0);
  }, 60_000);

  it('is what the run scripts use, while npm test builds always', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const name of ['start', 'bench', 'simulate', 'inspect']) expect(scripts[name]).toMatch(/^node tools\/build-if-stale\.js && node /);
    expect(scripts['test']).toContain('npm run build &&');
  });
});
