/**
 * The README's Embedding section stays true: it names every error code the
 * public entry points' error classes carry and every simulator fault kind,
 * and its HTTP recipe is the compiled example's code, which maps real errors.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as sim from '../../src/runtime/simulator/index.js';
import * as persistence from '../../src/persistence/index.js';
import * as pools from '../../src/pools/index.js';
import * as cluster from '../../src/cluster/index.js';
import * as cook from '../../src/actors/cook/index.js';
import * as jobs from '../../src/actors/jobs/index.js';
import * as media from '../../src/actors/media/index.js';
// The example imports 'steward' (the package, by self-reference: dist/), so its errors come from there too.
import * as shipped from 'steward';
import * as shippedPools from 'steward/pools';
import { errorBody, httpStatusOf } from '../../examples/http-status.js';

const ENTRIES = { steward: root, 'steward/sim': sim, 'steward/persistence': persistence, 'steward/pools': pools, 'steward/cluster': cluster, 'steward/cook': cook, 'steward/jobs': jobs, 'steward/media': media };

/** An argument any error constructor can read anything from: every property is itself, and it converts to 0. */
const PROBE: unknown = new Proxy(function probe() {}, { get: (_target, key) => (key === Symbol.toPrimitive ? () => 0 : PROBE) });

/** The literal code an error class gives its instances (none for abstract bases and codes taken from input). */
function codeOf(errorClass: new (...args: unknown[]) => Error): string | undefined {
  for (const args of [[PROBE, PROBE], ['probe', {}]]) {
    try {
      const code = (new errorClass(...args) as { code?: unknown }).code;
      return typeof code === 'string' && code.startsWith('ERR_') ? code : undefined;
    } catch {
      // this constructor wants the other shape of arguments
    }
  }
  return undefined;
}

function exportedCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const [entry, exports] of Object.entries(ENTRIES)) {
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== 'function' || !((value as { prototype?: unknown }).prototype instanceof Error)) continue;
      const code = codeOf(value as new (...args: unknown[]) => Error);
      if (code) codes.set(code, `${entry} ${name}`);
    }
  }
  return codes;
}

async function embeddingSection(): Promise<string> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Embedding in a service'));
  if (!section) throw new Error("README has no '## Embedding in a service' section");
  return section;
}

describe("README's Embedding section", () => {
  it('names every error code of every entry point', async () => {
    const section = await embeddingSection();
    const codes = exportedCodes();
    expect(codes.size).toBeGreaterThan(50);
    const missing = [...codes].filter(([code]) => !section.includes(`\`${code}\``)).map(([code, where]) => `${code} (${where})`);
    expect(missing).toEqual([]);
  });

  it('names every fault kind of the simulator', async () => {
    const section = await embeddingSection();
    const source = await readFile(new URL('../../src/runtime/simulator/scenario.ts', import.meta.url), 'utf8');
    const union = /export type FaultKind =([\s\S]*?)\n\n/.exec(source)?.[1] ?? '';
    const kinds = [...union.matchAll(/\| '([a-z-]+)'/g)].map((match) => match[1]);
    expect(kinds.length).toBeGreaterThan(5);
    expect(kinds.filter((kind) => !section.includes(`\`${kind}\``))).toEqual([]);
  });

  it("shows the HTTP recipe as examples/http-status.ts has it", async () => {
    const section = await embeddingSection();
    const recipe = /### Error codes to HTTP statuses[\s\S]*?```ts\n([\s\S]*?)```/.exec(section)?.[1];
    const example = await readFile(new URL('../../examples/http-status.ts', import.meta.url), 'utf8');
    expect(recipe).toBeDefined();
    expect(example).toContain(recipe);
  });
});

describe('examples/http-status.ts', () => {
  it('maps refusals to 409, invalid input to 400, full or stopping to 503, timeouts to 504', () => {
    expect(httpStatusOf(new shipped.ForbiddenError('ann does not own autumn'))).toBe(409);
    expect(httpStatusOf(new shipped.InvalidStateError('the cook is done'))).toBe(409);
    expect(httpStatusOf(new shipped.InvalidMessageError('bad deposit', []))).toBe(400);
    expect(httpStatusOf(new shipped.MailboxFullError('account:alice is full'))).toBe(503);
    expect(httpStatusOf(new shipped.SystemStoppedError('shut down'))).toBe(503);
    expect(httpStatusOf(new shippedPools.PoolFullError('validate is full'))).toBe(503);
    expect(httpStatusOf(new shipped.AskTimeoutError('account:alice did not answer deposit within 5000 ms'))).toBe(504);
    expect(httpStatusOf(new Error('a bug'))).toBe(500);
  });

  it('answers invalid input with its issues as data, and hides non-steward errors', () => {
    const issue = { path: ['amount'], code: 'too_small', message: 'Too small: expected number to be >0' };
    expect(errorBody(new shipped.InvalidMessageError('bad deposit', [issue]))).toEqual({ error: { code: 'ERR_INVALID_MESSAGE', message: 'bad deposit', issues: [issue] } });
    expect(errorBody(new Error('secret path /srv/x'))).toEqual({ error: { code: 'ERR_INTERNAL', message: 'internal error' } });
  });
});
