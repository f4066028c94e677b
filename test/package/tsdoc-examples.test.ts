/**
 * The TSDoc `@example` blocks of the public exports compile.
 *
 * Read from the shipped `.d.ts` files under dist/src (run `npm run build`
 * first), not from src: what a consumer's editor shows is what is checked, and
 * "public" is decided the way a consumer sees it: every name each entry point
 * of package.json's `exports` re-exports, followed through the `export … from`
 * chain to the file that declares it, with the members of a public class or
 * interface. Internal declarations, even exported from their own file, must
 * have no example at all (their examples are noise, STYLE.md): one fails the
 * test.
 *
 * Each ```ts block becomes one module in a temp folder inside the package
 * (so `steward/...` resolves by self-reference): a generated preamble imports
 * every public export of every entry point (the example's own entry first; a
 * name two entries share is taken from the first), and declares the few free
 * identifiers the examples lean on ({@link FREE_IDENTIFIERS}); then the block.
 * One `tsc --noEmit` checks them all, strict, unused names allowed.
 *
 * A block that truly cannot compile starts with `// fragment: <reason>`; it is
 * skipped and counted. Every other block must compile.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist', 'src');
const TSC = join(ROOT, 'node_modules/.bin/tsc');

/**
 * Free identifiers examples use without defining, declared once for all of
 * them. Keep it short: an example that needs more should define it.
 */
const FREE_IDENTIFIERS = `
declare const system: ActorSystem;
declare const store: Store;
declare const persistence: Persistence;
declare const pool: PiscinaPool;
declare const ctx: ActorContext<any, any>;
declare const signal: AbortSignal;
declare const world: SimulationWorld;
declare const log: Record<'debug' | 'info' | 'warn' | 'error', (...args: unknown[]) => void>; // a pino-style logger
declare const url: string;
declare const path: string;
declare const jobId: string;
declare const Counter: ActorDefinition<{ count: number }, { add: z.ZodObject<{ by: z.ZodNumber }>; get: z.ZodObject<{}> }>;
declare const Cook: CookDefinition;
declare const cook: ActorRef<CookDefinition>;
declare const ref: ActorRef<typeof Counter>;
declare const batch: WriteOp[];
declare const checksumTask: TaskDefinition<{ path: string }, { sha256: string }, number>;
declare const downloadTask: TaskDefinition<{ url: string }, { path: string }>;
declare const doubleStart: Scenario<unknown>;
`;

interface Example {
  readonly id: string;
  readonly entry: string;
  readonly code: string;
}

/** The names a .d.ts imports, by local name: `import { a, type B, c as d } from './x.js'`. */
function importsOf(file: string, source: string): Map<string, { from: string; original: string }> {
  const imports = new Map<string, { from: string; original: string }>();
  for (const match of source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"](\.[^'"]+)['"]/g)) {
    const from = resolve(dirname(file), (match[2] as string).replace(/\.js$/, '.d.ts'));
    for (const part of (match[1] as string).split(',')) {
      const words = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
      const original = words[0]?.trim();
      const local = (words[1] ?? words[0])?.trim();
      if (original && local) imports.set(local, { from, original });
    }
  }
  return imports;
}

/**
 * `export { a, type B, c as d } from './x.js'`, `export * from './y.js'` and
 * `export type { E }` of a name imported above (how tsc emits `import type` +
 * `export type`) of one .d.ts.
 */
function reexportsOf(file: string): { names: Map<string, { from: string; original: string }>; stars: string[] } {
  const source = readFileSync(file, 'utf8');
  const names = new Map<string, { from: string; original: string }>();
  const imports = importsOf(file, source);
  for (const match of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s*(?:from\s*['"]([^'"]+)['"])?/g)) {
    const from = match[2] === undefined ? undefined : resolve(dirname(file), match[2].replace(/\.js$/, '.d.ts'));
    for (const part of (match[1] as string).split(',')) {
      const words = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
      const original = words[0]?.trim();
      const exported = (words[1] ?? words[0])?.trim();
      if (!original || !exported) continue;
      const target = from === undefined ? imports.get(original) : { from, original };
      if (target) names.set(exported, target);
    }
  }
  const stars = [...source.matchAll(/export\s*\*\s*from\s*['"]([^'"]+)['"]/g)].map((match) => resolve(dirname(file), (match[1] as string).replace(/\.js$/, '.d.ts')));
  return { names, stars };
}

/** Every public name of an entry point, with the .d.ts that declares it. */
function publicNames(entryFile: string): Map<string, { file: string; name: string }> {
  const found = new Map<string, { file: string; name: string }>();
  const declares = (file: string, name: string) =>
    new RegExp(`^export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:function|class|const|let|interface|type|enum|namespace)\\s+${name}\\b`, 'm').test(readFileSync(file, 'utf8'));
  const locate = (file: string, name: string, depth = 0): { file: string; name: string } | undefined => {
    if (depth > 10 || !existsSync(file)) return undefined;
    if (declares(file, name)) return { file, name };
    const { names, stars } = reexportsOf(file);
    const hop = names.get(name);
    if (hop) return locate(hop.from, hop.original, depth + 1);
    for (const star of stars) {
      const hit = locate(star, name, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  };
  const collect = (file: string) => {
    const { names, stars } = reexportsOf(file);
    for (const [exported, { from, original }] of names) {
      const hit = locate(from, original);
      if (hit) found.set(exported, hit);
    }
    for (const star of stars) for (const [name, hit] of publicNames(star)) if (!found.has(name)) found.set(name, hit);
  };
  collect(entryFile);
  return found;
}

/** The ```ts blocks of the JSDoc comments in `text`. */
function docBlocks(text: string): string[] {
  const blocks: string[] = [];
  for (const comment of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\//g)) {
    const doc = (comment[1] as string)
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n');
    for (const block of doc.matchAll(/```ts\n([\s\S]*?)```/g)) blocks.push(block[1] as string);
  }
  return blocks;
}

/** The text between a declaration's `{` at `open` and its matching `}`, skipping braces inside comments. */
function bodyAt(source: string, open: number): string {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source.startsWith('/*', i)) i = source.indexOf('*/', i + 2) + 1;
    else if (source[i] === '{') depth++;
    else if (source[i] === '}' && --depth === 0) return source.slice(open + 1, i);
  }
  return source.slice(open + 1);
}

/**
 * The ```ts blocks of `name`'s TSDoc in `file`: the JSDoc right before
 * `export … name`, and, for a class or an interface, its members' (for a
 * class, also those it inherits from the class it extends, internal or not:
 * a consumer's editor shows them on the public class).
 */
function blocksOf(file: string, name: string, depth = 0): string[] {
  const source = readFileSync(file, 'utf8');
  const blocks = new Set<string>();
  const declaration = new RegExp(`(/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/)\\s*export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:function|class|const|let|interface|type|enum|namespace)\\s+${name}\\b`, 'g');
  for (const match of source.matchAll(declaration)) for (const block of docBlocks(match[1] as string)) blocks.add(block);
  const container = new RegExp(`^export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:class|interface)\\s+${name}\\b[^{]*`, 'm').exec(source);
  if (container && depth < 10) {
    for (const block of docBlocks(bodyAt(source, container.index + container[0].length))) blocks.add(block);
    const base = /\bclass\b[^{]*\bextends\s+(\w+)/.exec(container[0])?.[1];
    const imported = base === undefined ? undefined : importsOf(file, source).get(base);
    if (imported) for (const block of blocksOf(imported.from, imported.original, depth + 1)) blocks.add(block);
  }
  return [...blocks];
}

const ENTRIES: ReadonlyArray<{ specifier: string; file: string }> = Object.entries(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types?: string }> }).exports,
)
  .filter(([, target]) => typeof target === 'object' && target.types)
  .map(([key, target]) => ({ specifier: key === '.' ? 'steward' : `steward/${key.slice(2)}`, file: join(ROOT, target.types as string) }));

function collectExamples(): { examples: Example[]; fragments: Array<{ id: string; reason: string; code: string }>; names: Map<string, Set<string>> } {
  const names = new Map<string, Set<string>>();
  const examples: Example[] = [];
  const fragments: Array<{ id: string; reason: string; code: string }> = [];
  const seen = new Set<string>();
  for (const entry of ENTRIES) {
    const exported = publicNames(entry.file);
    names.set(entry.specifier, new Set(exported.keys()));
    for (const { file, name } of exported.values()) {
      const blocks = blocksOf(file, name);
      blocks.forEach((code, index) => {
        const id = `${relative(DIST, file).split('\\').join('/')} ${name} #${index + 1}`;
        if (seen.has(id)) return;
        seen.add(id);
        const fragment = /^\s*\/\/ fragment:(.*)/.exec(code);
        if (fragment) fragments.push({ id, reason: (fragment[1] as string).trim(), code });
        else examples.push({ id, entry: entry.specifier, code });
      });
    }
  }
  return { examples, fragments, names };
}

/** The module for one example: imports of every public name (its own entry first), the free identifiers, the block. */
function moduleFor(example: Example, names: Map<string, Set<string>>): { text: string; preambleLines: number } {
  const own = new Set<string>();
  for (const match of example.code.matchAll(/^\s*import\s+(?:type\s+)?\{([^}]*)\}\s*from/gm)) {
    for (const part of (match[1] as string).split(',')) {
      const local = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).at(-1)?.trim();
      if (local) own.add(local);
    }
  }
  for (const match of example.code.matchAll(/^\s*import\s+(?:\*\s+as\s+)?(\w+)\s+from/gm)) own.add(match[1] as string);
  // Names the block declares itself at top level shadow nothing: they are left out of the preamble.
  for (const match of example.code.matchAll(/^(?:export\s+)?(?:declare\s+)?(?:const|let|var|function\*?|async\s+function|class|interface|type|enum|(?:await\s+)?using)\s+(\w+)/gm)) {
    own.add(match[1] as string);
  }
  for (const match of example.code.matchAll(/^(?:const|let|var|(?:await\s+)?using)\s*[{[]([^=]*)[}\]]\s*=/gm)) {
    for (const part of (match[1] as string).split(',')) {
      const local = part.split(':').at(-1)?.replace(/=.*$/, '').replace(/\.\.\./, '').trim();
      if (local && /^\w+$/.test(local)) own.add(local);
    }
  }
  const taken = new Set(own);
  const lines: string[] = [];
  if (!taken.has('z')) {
    lines.push("import { z } from 'zod';");
    taken.add('z');
  }
  const order = [example.entry, ...[...names.keys()].filter((entry) => entry !== example.entry)];
  for (const entry of order) {
    const fresh = [...(names.get(entry) ?? [])].filter((name) => !taken.has(name));
    fresh.forEach((name) => taken.add(name));
    if (fresh.length > 0) lines.push(`import { ${fresh.join(', ')} } from '${entry}';`);
  }
  const free = FREE_IDENTIFIERS.trim()
    .split('\n')
    .filter((line) => !own.has(/declare const (\w+)/.exec(line)?.[1] ?? ''));
  lines.push(...free, `// ${example.id}`);
  const imports = example.code.split('\n').filter((line) => /^import\s/.test(line));
  const body = example.code.split('\n').filter((line) => !/^import\s/.test(line));
  const header = [...imports, ...lines];
  return { text: [...header, ...body, 'export {};', ''].join('\n'), preambleLines: header.length };
}

describe('TSDoc @example blocks of the public exports', () => {
  const work = join(ROOT, 'dist', `.tsdoc-examples-${process.pid}`);
  let collected: ReturnType<typeof collectExamples>;
  let failing: Map<string, string[]>;

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.d.ts'))) throw new Error('dist/ is missing: run `npm run build` first');
    collected = collectExamples();
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    const files = new Map<string, { example: Example; preambleLines: number }>();
    await Promise.all(
      collected.examples.map(async (example, index) => {
        const name = `example-${String(index).padStart(4, '0')}.ts`;
        const { text, preambleLines } = moduleFor(example, collected.names);
        files.set(name, { example, preambleLines });
        await writeFile(join(work, name), text);
      }),
    );
    const compilerOptions = {
      target: 'ES2022',
      lib: ['ES2022', 'ESNext.Disposable', 'DOM'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
    };
    await writeFile(join(work, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [...files.keys()] }, null, 2));
    const output = await run(TSC, ['-p', 'tsconfig.json', '--pretty', 'false'], { cwd: work, maxBuffer: 64 * 1024 * 1024 }).then(
      ({ stdout }) => stdout,
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    failing = new Map();
    for (const match of output.matchAll(/^(example-\d+\.ts)\((\d+),\d+\): (error TS\d+: .*)$/gm)) {
      const file = files.get(match[1] as string);
      if (!file) continue;
      const line = Number(match[2]) - file.preambleLines;
      const list = failing.get(file.example.id) ?? [];
      list.push(`line ${line}: ${match[3] as string}`);
      failing.set(file.example.id, list);
    }
  }, 300_000);

  afterAll(async () => {
    // To read the generated modules while fixing examples: STEWARD_KEEP_TSDOC_EXAMPLES=1.
    if (process.env['STEWARD_KEEP_TSDOC_EXAMPLES'] === '1') return;
    await rm(work, { recursive: true, force: true });
  });

  it('finds the public examples it checks, in every entry point', () => {
    expect(collected.examples.length).toBeGreaterThan(100);
    expect(collected.examples.map((example) => example.id)).toContain('runtime/define-actor.d.ts defineActor #1');
    expect(new Set(collected.examples.map((example) => example.entry)).size).toBe(ENTRIES.length);
  });

  it('compiles every example not marked a fragment', () => {
    expect([...failing].map(([id, errors]) => `${id}\n  ${errors.join('\n  ')}`)).toEqual([]);
  });

  it('finds @example blocks on public exports only (an internal one is noise, STYLE.md)', () => {
    const checked = new Set([...collected.examples, ...collected.fragments].map(({ code }) => code));
    const elsewhere = readdirSync(DIST, { recursive: true, encoding: 'utf8' })
      // A .d.ts whose source is gone is a stale build output, not an export.
      .filter((file) => file.endsWith('.d.ts') && existsSync(join(ROOT, 'src', file.replace(/\.d\.ts$/, '.ts'))))
      .flatMap((file) => docBlocks(readFileSync(join(DIST, file), 'utf8')).map((code) => ({ file, code })))
      .filter(({ code }) => !checked.has(code))
      .map(({ file, code }) => `${file.split('\\').join('/')}: ${code.split('\n')[0]}`);
    expect(elsewhere).toEqual([]);
  });

  it('gives every fragment a reason', () => {
    expect(collected.fragments.filter(({ reason }) => reason.length < 10)).toEqual([]);
  });
});
