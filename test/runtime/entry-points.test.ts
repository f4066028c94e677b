import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Records every module URL the loader loads, and answers `list` with the npm packages among them. */
const LOADER = `
  const seen = new Set();
  export function initialize({ port }) {
    port.on('message', () => port.postMessage([...seen].sort()));
    port.unref();
  }
  export async function load(url, context, next) {
    const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(url);
    if (match) seen.add(match[1]);
    return next(url, context);
  }
`;

/**
 * Imports `entry` (a package export, resolved through package.json's exports by self-reference) in a
 * fresh Node process and returns the npm packages the module loader loaded for it.
 */
function packagesLoadedBy(entry: string): string[] {
  const program = `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(LOADER)}), import.meta.url, { data: { port: port2 }, transferList: [port2] });
    await import(${JSON.stringify(entry)});
    port1.postMessage('list');
    port1.once('message', (list) => { console.log(JSON.stringify(list)); port1.close(); });
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', program], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as string[];
}

describe('entry points load only what they name', () => {
  it('steward loads neither piscina, nor lowdb, nor comlink', () => {
    const loaded = packagesLoadedBy('steward');
    expect(loaded).not.toContain('piscina');
    expect(loaded).not.toContain('lowdb');
    expect(loaded).not.toContain('comlink');
  });

  it('steward/sim loads the simulator without piscina or lowdb', () => {
    const loaded = packagesLoadedBy('steward/sim');
    expect(loaded).not.toContain('piscina');
    expect(loaded).not.toContain('lowdb');
  });

  it('steward/persistence loads lowdb but no pool', () => {
    const loaded = packagesLoadedBy('steward/persistence');
    expect(loaded).toContain('lowdb');
    expect(loaded).not.toContain('piscina');
    expect(loaded).not.toContain('comlink');
  });

  it('steward/pools loads piscina and comlink but no store', () => {
    const loaded = packagesLoadedBy('steward/pools');
    expect(loaded).toContain('piscina');
    expect(loaded).not.toContain('lowdb');
  });

  it('steward/cook loads its domain without a store or a pool', () => {
    const loaded = packagesLoadedBy('steward/cook');
    expect(loaded).not.toContain('lowdb');
    expect(loaded).not.toContain('piscina');
  });

  it('steward/operator loads the dashboard and its domains without a store or a pool', () => {
    const loaded = packagesLoadedBy('steward/operator');
    expect(loaded).not.toContain('lowdb');
    expect(loaded).not.toContain('piscina');
    expect(loaded).not.toContain('playwright-core');
  });

  it('steward/cookies loads its domain and its pool tasks without a store', () => {
    const loaded = packagesLoadedBy('steward/cookies');
    expect(loaded).toContain('zod');
    expect(loaded).not.toContain('lowdb');
    expect(loaded).not.toContain('pg');
  });

  it('steward/jobs loads its registry and queue without a store, a pool or PostgreSQL', () => {
    const loaded = packagesLoadedBy('steward/jobs');
    expect(loaded).toContain('zod');
    expect(loaded).not.toContain('lowdb');
    expect(loaded).not.toContain('piscina');
    expect(loaded).not.toContain('pg');
  });

  it('steward/media loads its pipeline, its pool tasks and file sniffing without a store', () => {
    const loaded = packagesLoadedBy('steward/media');
    expect(loaded).toContain('file-type');
    expect(loaded).toContain('piscina');
    expect(loaded).not.toContain('lowdb');
    expect(loaded).not.toContain('pg');
  });

  it('steward/cluster loads PostgreSQL leases without a pool or the media domain', () => {
    const loaded = packagesLoadedBy('steward/cluster');
    expect(loaded).toContain('pg');
    expect(loaded).not.toContain('piscina');
    expect(loaded).not.toContain('comlink');
    expect(loaded).not.toContain('file-type');
  });

  it('the root entry no longer carries the simulator', async () => {
    const root = await import('../../src/index.js');
    expect(Object.keys(root)).not.toContain('explore');
    expect(Object.keys(root)).not.toContain('defineScenario');
  });
});
