/**
 * Cookie values never leak: fast-check generates secret values, the real
 * runtime rotates them (and refuses them, and fails on them), and every
 * output is searched for them: events, errors, tickets, snapshots, reports,
 * monitors, console lines, the inspect command's output. With
 * STEWARD_SECRET_KEY configured, the data directory holds no plaintext value.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COOKIE_MONITORS, COOKIE_REPORTS, COOKIES } from '../../../src/actors/cookies/index.js';
import { closeWorlds, cookieWorld } from './helpers.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await closeWorlds();
});

const KEY = 'a3'.repeat(32); // 32 bytes, hex
const INSPECT = fileURLToPath(new URL('../../../dist/src/cli/inspect.js', import.meta.url));

function describeDeeply(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return { ...error, name: error.name, message: error.message, stack: error.stack, cause: describeDeeply(error.cause) };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return Promise.all(entries.filter((entry) => entry.isFile()).map((entry) => readFile(join(entry.parentPath, entry.name), 'latin1')));
}

describe('cookie values never leak', () => {
  it('generated secrets appear in no event, error, ticket, snapshot, report, monitor, log line or inspect output; none at rest with a key', async () => {
    const world = await cookieWorld({ cookies: { secretKey: KEY, commitBackoffMs: 1 } });
    const outputs: unknown[] = [];
    world.system.events.on('*', (type, event) => outputs.push({ type, event }));
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void outputs.push(args));
    const secrets: string[] = [];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/), fc.boolean(), async (secret, storeFails) => {
        run++;
        secrets.push(secret);
        const seen: unknown[] = [];
        const capture = (promise: Promise<unknown>) => promise.then((value) => seen.push(value), (error: unknown) => seen.push(describeDeeply(error)));
        // A value the service does not know: refused, reported, shown on the monitor.
        const unknown = world.cookie(`unknown-${run}`);
        await capture(unknown.ask('register', { service: 'shop', value: `sid=${secret}; theme=${secret}x` }));
        await capture(unknown.ask('rotate', {}).then((ticket) => ticket.settled));
        // Bad input carrying the secret: refused at the boundary.
        await capture(unknown.ask('register', { service: `bad service ${secret}`, value: `sid=${secret}` }));
        await capture(unknown.ask('register', { service: 'shop', value: secret }));
        // A value the service knows: rotated into new secret values (the service's), through a failing store first.
        const known = world.cookie(`known-${run}`);
        await capture(known.ask('register', { service: 'shop', value: world.service.issue(`acct-${run}`), launchOnStartup: true }));
        world.persistence.failReportCommits = storeFails ? 2 : 0;
        await capture(known.ask('rotate', {}).then((ticket) => ticket.settled));
        await capture(known.ask('status', {}));
        await capture(unknown.ask('status', {}));
        seen.push(world.persistence.reports());
        for (const collection of [COOKIE_MONITORS, COOKIE_REPORTS]) seen.push(await world.persistence.query(collection));
        const dump = JSON.stringify([seen, outputs]);
        for (const value of [secret, ...world.service.issuedValues()]) expect(dump).not.toContain(value);
      }),
      { numRuns: 15 },
    );
    await world.system.shutdown();
    const inspect = execFileSync(process.execPath, [INSPECT, world.dir], { encoding: 'utf8' });
    expect(inspect).toContain(COOKIES);
    const atRest = (await filesUnder(world.dir)).join('\n');
    expect(atRest).toContain('gcm1:'); // values are there, sealed
    for (const value of [...secrets, ...world.service.issuedValues()]) {
      expect(inspect).not.toContain(value);
      expect(atRest).not.toContain(value);
    }
  });

  it('a key of the wrong size is refused naming only its size; a value sealed with one key does not open with another', async () => {
    const { createCookieActors, CookieProviders } = await import('../../../src/actors/cookies/index.js');
    expect(() => createCookieActors({ providers: new CookieProviders(), secretKey: 'c2hvcnQ=' })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidConfigError: STEWARD_SECRET_KEY must be 32 bytes (64 hex digits or base64) for AES-256-GCM; it decodes to 5 bytes]`,
    );
    const first = await cookieWorld({ cookies: { secretKey: KEY } });
    await first.cookie('c').ask('register', { service: 'shop', value: first.service.issue('ann') });
    await first.system.shutdown();
    const second = await cookieWorld({ dir: first.dir, service: first.service, cookies: { secretKey: 'b4'.repeat(32) } });
    const summary = await (await second.cookie('c').ask('rotate', {})).settled;
    expect(summary.message).toMatchInlineSnapshot(`"a stored cookie value does not open with the configured STEWARD_SECRET_KEY: it was sealed with another key"`);
    expect((await second.cookie('c').ask('status', {})).monitor.workerStatus).toBe('error');
  });
});
