/**
 * `npm run bench [-- --json] [-- --only PREFIX]`: runs every `*.bench.js`
 * group beside this file, each in a fresh child process (so one group's heap
 * and JIT state cannot skew the next one's ratios), prints each figure with
 * its target, and with `--json` (re)writes `bench/results.json` keyed by
 * figure name.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { BenchFigure, BenchGroup } from './harness.js';
import { round } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsPath = join(here, '..', '..', 'bench', 'results.json');
/** Marks the lines a child prints for its parent. */
const FIGURE_PREFIX = '@@figure ';

function parseArgs(argv: readonly string[]): { json: boolean; only: string | undefined; child: string | undefined } {
  const valueOf = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  return { json: argv.includes('--json'), only: valueOf('--only'), child: valueOf('--child') };
}

/** In a child: runs one group, printing its output and each figure for the parent. */
async function runChild(file: string, only: string | undefined): Promise<void> {
  const group = ((await import(pathToFileURL(join(here, file)).href)) as { default: BenchGroup }).default;
  await group.run((figure) => {
    if (only && !figure.name.startsWith(only) && !only.startsWith(group.name)) return;
    console.log(`${FIGURE_PREFIX}${JSON.stringify({ ...figure, value: round(figure.value) })}`);
  });
}

/** A group is named after its file (`sim.bench.js` is `sim`), so the parent need not load it. */
function groupName(file: string): string {
  return file.slice(0, -'.bench.js'.length);
}

async function main(): Promise<void> {
  const { json, only, child } = parseArgs(process.argv.slice(2));
  if (child) return runChild(child, only);
  const files = (await readdir(here)).filter((file) => file.endsWith('.bench.js')).sort();
  const figures: BenchFigure[] = [];
  for (const file of files) {
    const name = groupName(file);
    if (only && !name.startsWith(only) && !only.startsWith(`${name}.`)) continue;
    console.log(`\n== ${name} (${file})`);
    const started = performance.now();
    const args = ['--expose-gc', fileURLToPath(import.meta.url), '--child', file, ...(only ? ['--only', only] : [])];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
    for (const line of stdout.split('\n')) {
      if (!line.startsWith(FIGURE_PREFIX)) {
        if (line.trim()) console.log(line);
        continue;
      }
      const figure = JSON.parse(line.slice(FIGURE_PREFIX.length)) as BenchFigure;
      figures.push(figure);
      const target = figure.target ? `  target ${figure.target}` : '';
      console.log(`  ${figure.name.padEnd(40)} ${String(figure.value).padStart(12)} ${figure.unit}${target}`);
    }
    if (stderr.trim()) console.error(stderr.trim());
    console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  if (json) {
    const previous = await readFile(resultsPath, 'utf8').then((text) => JSON.parse(text) as Record<string, unknown>, () => ({}));
    const results: Record<string, unknown> = only ? { ...previous } : {};
    for (const { name, ...rest } of figures) results[name] = rest;
    await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nwrote ${resultsPath}`);
  }
}

await main();
process.exit(0);
