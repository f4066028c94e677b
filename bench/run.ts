/**
 * `npm run bench [-- --json] [-- --only PREFIX]`: runs every `*.bench.js`
 * group beside this file, prints each figure with its target, and with
 * `--json` (re)writes `bench/results.json` keyed by figure name.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchFigure, BenchGroup } from './harness.js';
import { round } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsPath = join(here, '..', '..', 'bench', 'results.json');

function parseArgs(argv: readonly string[]): { json: boolean; only: string | undefined } {
  const onlyIndex = argv.indexOf('--only');
  return { json: argv.includes('--json'), only: onlyIndex >= 0 ? argv[onlyIndex + 1] : undefined };
}

async function main(): Promise<void> {
  const { json, only } = parseArgs(process.argv.slice(2));
  const files = (await readdir(here)).filter((file) => file.endsWith('.bench.js')).sort();
  const figures: BenchFigure[] = [];
  for (const file of files) {
    const group = ((await import(pathToFileURL(join(here, file)).href)) as { default: BenchGroup }).default;
    if (only && !group.name.startsWith(only) && !only.startsWith(`${group.name}.`)) continue;
    console.log(`\n== ${group.name} (${file})`);
    const started = performance.now();
    await group.run((figure) => {
      if (only && !figure.name.startsWith(only) && !only.startsWith(group.name)) return;
      const rounded = { ...figure, value: round(figure.value) };
      figures.push(rounded);
      const target = figure.target ? `  target ${figure.target}` : '';
      console.log(`  ${figure.name.padEnd(40)} ${String(rounded.value).padStart(12)} ${figure.unit}${target}`);
    });
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
