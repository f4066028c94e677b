/**
 * Small modules, one concept per file: no source file in src/ past 300 lines.
 * A file that grows past it is asking to be split by concept, not trimmed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');
const MAX_LINES = 300;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? tsFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Lines as an editor counts them: a final newline does not start another line. */
function lineCount(path: string): number {
  const text = readFileSync(path, 'utf8');
  return text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

describe('file size', () => {
  it('finds the sources it checks', () => {
    expect(tsFiles(SRC).map((path) => relative(ROOT, path))).toContain('src/index.ts');
  });

  it(`keeps every src/**/*.ts at ${MAX_LINES} lines or fewer`, () => {
    const over = tsFiles(SRC)
      .map((path) => ({ file: relative(ROOT, path).split('\\').join('/'), lines: lineCount(path) }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file} (${lines})`)
      .sort();
    expect(over).toEqual([]);
  });
});
