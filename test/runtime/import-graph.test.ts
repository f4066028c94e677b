import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The compiled graph is what loads at run time: type-only imports are erased, value imports are not.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = join(ROOT, 'dist', 'src');

/** Files of the ports layer: the ports module and the leaf primitives it re-exports (bindings of those ports). */
const PORT_LEAVES = new Set(['runtime/clock.js', 'runtime/microtask.js', 'runtime/deadlines.js', 'runtime/random.js', 'runtime/scheduler.js']);
/** Leaf modules every layer may use: the error classes and their issue helpers. */
const SHARED = new Set(['errors.js', 'issues.js']);
/** Public entry points a domain may import (package exports). */
const PUBLIC_ENTRIES = new Set(['index.js', 'errors.js', 'persistence/index.js', 'pools/index.js', 'runtime/simulator/index.js']);
/** Internal leaves a domain may import besides: the node:http plumbing (bounded bodies, JSON replies) their HTTP surfaces share. */
const DOMAIN_LEAVES = new Set(['http/index.js']);

function layerOf(file: string): string {
  if (SHARED.has(file)) return 'shared';
  if (file.startsWith('mailbox/')) return 'mailbox';
  if (file.startsWith('runtime/ports/') || PORT_LEAVES.has(file)) return 'ports';
  if (file.startsWith('runtime/simulator/')) return 'sim';
  if (file.startsWith('runtime/')) return 'runtime';
  if (file.startsWith('persistence/')) return 'persistence';
  if (file.startsWith('pools/')) return 'pools';
  if (file.startsWith('http/')) return 'http';
  const domain = /^actors\/([^/]+)\//.exec(file);
  if (domain) return `domain:${domain[1]}`;
  return 'other';
}

const ALLOWED: Record<string, readonly string[]> = {
  shared: ['shared'],
  mailbox: ['mailbox'],
  ports: ['ports'],
  runtime: ['runtime', 'mailbox', 'ports', 'shared'],
  persistence: ['persistence', 'ports', 'shared'],
  pools: ['pools', 'ports', 'shared'],
  http: ['http'],
};

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? jsFiles(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : [],
  );
}

/** Relative value imports of one compiled module, as paths under dist/src. */
function importsOf(path: string): string[] {
  const source = readFileSync(path, 'utf8');
  const specifiers = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (match) => match[1] ?? match[2] ?? match[3] ?? '',
  );
  return specifiers.filter((specifier) => specifier.startsWith('.')).map((specifier) => relative(DIST, resolve(dirname(path), specifier)).split('\\').join('/'));
}

/** Every edge that breaks the layering rule, as `from -> to`. */
function violations(): string[] {
  const found: string[] = [];
  for (const path of jsFiles(DIST)) {
    const from = relative(DIST, path).split('\\').join('/');
    const layer = layerOf(from);
    for (const to of importsOf(path)) {
      const target = layerOf(to);
      if (layer.startsWith('domain:')) {
        if (target === layer || PUBLIC_ENTRIES.has(to) || DOMAIN_LEAVES.has(to)) continue;
        found.push(`${from} -> ${to}`);
        continue;
      }
      const allowed = ALLOWED[layer];
      if (allowed && !allowed.includes(target)) found.push(`${from} -> ${to}`);
    }
  }
  return found.sort();
}

describe('import graph (compiled dist)', () => {
  it('finds the modules it checks', () => {
    const files = jsFiles(DIST).map((path) => relative(DIST, path).split('\\').join('/'));
    expect(files).toContain('runtime/actor-system.js');
    expect(importsOf(join(DIST, 'runtime', 'cell-state.js'))).toContain('runtime/ports/index.js');
  });

  it('points one way: mailbox alone, runtime on mailbox and its ports, persistence and pools on the ports, http alone, domains on public entries and http', () => {
    expect(violations()).toEqual([]);
  });
});
