/**
 * The package as a newcomer gets it: `npm pack`, installed into a fresh
 * project in a temp dir, a small TypeScript program type-checked against the
 * shipped types with the README's consumer tsconfig and run as ESM, touching
 * every entry point; the `steward` bin; source maps that carry their sources.
 *
 * Packs with `--ignore-scripts`: `prepack` would rebuild dist/ under the other
 * test files that are loading it. `npm test` builds before vitest runs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules/.bin/tsc');

/** The consumer's tsconfig: the JSON block of the README's Embedding section. */
async function readmeTsconfig(): Promise<unknown> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Embedding in a service'));
  const block = section && /```json\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("README has no '## Embedding in a service' section with a ```json tsconfig block");
  return JSON.parse(block) as unknown;
}

const CONSUMER = `
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ActorSystem, defineActor, InvalidMessageError, StewardError } from 'steward';
import { LowdbStore, MemoryStore, Persistence } from 'steward/persistence';
import { defineTask, PiscinaPool } from 'steward/pools';
import { explore, STRATEGIES } from 'steward/sim';
import { Leases } from 'steward/cluster';
import { cookKey } from 'steward/cook';
import { WorkerStatusSchema } from 'steward/jobs';
import { safeSegment } from 'steward/media';
import { defaultDomains } from 'steward/operator';
import { maskCookie } from 'steward/cookies';

const Greeter = defineActor({
  name: 'greeter',
  messages: { greet: z.object({ name: z.string().min(1) }) },
  initialState: (_key: string) => ({ greeted: 0 }),
  handlers: { greet: ({ name }, ctx) => 'hello ' + name + ' (#' + ++ctx.state.greeted + ')' },
});

const dir = await mkdtemp(join(tmpdir(), 'steward-consumer-'));
try {
  const store = await LowdbStore.open({ dir });
  {
    await using system = new ActorSystem({ persistence: new Persistence(store) });
    const greeter = system.ref(Greeter, 'front-desk');
    const greeting: string = await greeter.ask('greet', { name: 'ann' });
    console.log(greeting);
    const refused = await greeter.ask('greet', { name: '' }).catch((error: unknown) => error);
    if (refused instanceof InvalidMessageError) console.log('invalid', refused.code, refused.issues.length);
    else throw new Error('an empty name was not refused');
    console.log('steward error', refused instanceof StewardError);
  }

  const double = defineTask({ name: 'double', module: new URL('./double.js', import.meta.url), input: z.number(), result: z.number() });
  const pool = new PiscinaPool({ name: 'consumer', maxThreads: 1 });
  try {
    console.log('task', await pool.run(double, 21));
  } finally {
    await pool.close();
  }

  console.log('memory store', typeof new MemoryStore().commit);
  console.log('sim', typeof explore, Object.keys(STRATEGIES).length > 0);
  console.log('cluster', typeof Leases);
  console.log('cook', cookKey('autumn', 'ann'));
  console.log('jobs', WorkerStatusSchema.parse('RUNNING'));
  console.log('media', safeSegment('a/b'));
  console.log('operator', defaultDomains().map((domain) => domain.name).join(' '));
  console.log('cookies', maskCookie('sid=abc; theme=dark', ['sid', 'csrf']).map((key) => key.key + (key.present ? '+' : '-')).join(' '));
} finally {
  await rm(dir, { recursive: true, force: true });
}
`;

const TASK = `
/** The pool task: its name is its export. */
export function double(n: number): number {
  return n * 2;
}
`;

describe('the packed package, installed into a fresh project', () => {
  let work: string;
  let consumer: string;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/src/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    work = await mkdtemp(join(tmpdir(), 'steward-pack-'));
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    if (!packed) throw new Error(`npm pack said nothing: ${stdout}`);
    consumer = join(work, 'consumer');
    await run('mkdir', ['-p', join(consumer, 'src')]);
    await writeFile(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { steward: `file:${join(work, packed.filename)}`, zod: '^4.1.0' }, devDependencies: { '@types/node': '^20.0.0' } }),
    );
    await writeFile(join(consumer, 'tsconfig.json'), JSON.stringify(await readmeTsconfig(), null, 2));
    await writeFile(join(consumer, 'src/main.ts'), CONSUMER);
    await writeFile(join(consumer, 'src/double.ts'), TASK);
    await copyFile(join(ROOT, 'examples/quickstart.ts'), join(consumer, 'src/quickstart.ts'));
    // The registry is reachable, but the packages are already in npm's cache after the repo's own install.
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: consumer });
    // Type-checks both programs against the shipped types; a type error fails every test here, with tsc's output.
    await run(TSC, ['-p', 'tsconfig.json'], { cwd: consumer }).catch((error: { stdout?: string }) => {
      throw new Error(`the consumer does not type-check against the package:\n${error.stdout ?? String(error)}`);
    });
  }, 180_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships the compiled code and its types, not the sources or the tests', async () => {
    const shipped = await readdir(join(consumer, 'node_modules/steward'), { recursive: true });
    expect(shipped).toContain('dist/src/index.js');
    expect(shipped).toContain('dist/src/index.d.ts');
    expect(shipped.some((file) => file.startsWith('src/') || file.startsWith('test/') || file.startsWith('dist/test/') || file.startsWith('dist/demo/'))).toBe(false);
  });

  it('type-checks a consumer program with the README tsconfig, and runs it on every entry point', async () => {
    const { stdout } = await run(process.execPath, ['dist/main.js'], { cwd: consumer });
    expect(stdout.trim().split('\n')).toEqual([
      'hello ann (#1)',
      'invalid ERR_INVALID_MESSAGE 1',
      'steward error true',
      'task 42',
      'memory store function',
      'sim function true',
      'cluster function',
      'cook autumn~ann',
      'jobs RUNNING',
      'media a-b-c14cddc0',
      'operator cooks queues workers cookies reminders',
      'cookies sid+ csrf-',
    ]);
  }, 120_000);

  it("runs the README's quickstart (examples/quickstart.ts) as a consumer compiles it", async () => {
    const { stdout } = await run(process.execPath, ['dist/quickstart.js'], { cwd: consumer, env: { ...process.env, STEWARD_DATA_DIR: join(work, 'quickstart-data') } });
    expect(stdout.trim()).toBe('alice has 100');
  }, 120_000);

  it('has a steward bin that runs simulate and inspect from the shipped JS', async () => {
    const bin = join(consumer, 'node_modules/.bin/steward');
    const list = await run(bin, ['simulate', '--list'], { cwd: consumer });
    expect(list.stdout.split('\n')).toContain('cook-three-paths');
    const dataDir = join(work, 'bin-data');
    await run(process.execPath, ['dist/quickstart.js'], { cwd: consumer, env: { ...process.env, STEWARD_DATA_DIR: dataDir } });
    const inspected = await run(bin, ['inspect', dataDir], { cwd: consumer });
    expect(inspected.stdout).toContain('schema v1');
    const usage = await run(bin, [], { cwd: consumer }).catch((error: unknown) => error as { code: number; stderr: string });
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: steward simulate') });
  }, 60_000);

  it('ships source maps that carry their sources', async () => {
    const map = JSON.parse(await readFile(join(consumer, 'node_modules/steward/dist/src/index.js.map'), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    expect(map.sourcesContent).toHaveLength(map.sources.length);
    expect(map.sourcesContent?.[0]).toContain('export');
  });
});
