/**
 * No operator output ever shows a secret: fast-check generates secret values
 * that real cookie actors store (sealed with STEWARD_SECRET_KEY or as they
 * are), rotate, refuse and fail on, and that a real queue carries in a
 * payload and a failure message; the dashboard's page, /snapshot.json and
 * /metrics, and `npm run inspect` (text and --json) on the same directory,
 * are searched for every one of them and for every value the provider issued.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineQueue } from '../../src/actors/jobs/index.js';
import { LowdbStore } from '../../src/persistence/index.js';
import { defaultDomains, startDashboard, type DashboardSnapshot } from '../../src/operator/index.js';
import type { CookieProviderService } from '../../examples/cookie-provider/service.js';
import { cleanup, tempDir } from '../persistence/helpers.js';
import { cookieWorld, SECRET_KEY, startProvider } from './fixtures/cookie-world.js';

const INSPECT = fileURLToPath(new URL('../../dist/src/cli/inspect.js', import.meta.url));

let provider: CookieProviderService | undefined;
let store: LowdbStore | undefined;
afterEach(async () => {
  await provider?.close();
  await store?.close();
  provider = store = undefined;
  await cleanup();
});

describe('operator outputs never show a secret', () => {
  it('generated cookie values and job data appear nowhere on the dashboard (page, snapshot, metrics) nor in inspect', async () => {
    provider = await startProvider();
    const dir = await tempDir();
    store = await LowdbStore.open({ dir });
    const secrets: string[] = [];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/), fc.boolean(), async (secret, sealed) => {
        run++;
        secrets.push(secret);
        const world = cookieWorld(store as LowdbStore, provider as CookieProviderService, sealed ? SECRET_KEY : undefined);
        const queue = defineQueue({
          name: `jobs-${run}`,
          payload: z.object({ token: z.string() }),
          retry: { attempts: 1 },
          handler: ({ token }) => Promise.reject(Object.assign(new Error(`refused token ${token}`), { code: 'ERR_REFUSED' })),
        });
        const failed = new Promise<void>((resolve) => queue.events.on('failed', () => resolve()));
        const dashboard = await startDashboard({ system: world.system, reader: world.persistence, domains: defaultDomains() });
        try {
          await world.registerAndRotate(`known-${run}`, 'shop', provider?.issue(`acct-${run}`) ?? ''); // rotated into new secret values
          await world.registerAndRotate(`unknown-${run}`, 'shop', `sid=${secret}; theme=${secret}x`); // refused by the service
          await world.registerAndRotate(`forum-${run}`, 'forum', `token=${secret}`); // no provider: config missing
          await queue.ref(world.system).ask('enqueue', { payload: { token: secret } });
          await failed;
          const page = await (await fetch(dashboard.url)).text();
          const snapshot = await (await fetch(`${dashboard.url}snapshot.json`)).text();
          const metrics = await (await fetch(`${dashboard.url}metrics`)).text();
          const domains = (JSON.parse(snapshot) as DashboardSnapshot).domains.map((domain) => domain.name);
          expect(domains).toEqual(['cooks', 'queues', 'workers', 'cookies', 'reminders']);
          expect(snapshot).toContain(`unknown-${run}`); // the cookies are there, only their values are not
          expect(snapshot).toContain('ERR_REFUSED');
          expect(metrics).toMatch(/^steward_domain_count\{domain="cookies",name="total"\} \d+$/m);
          const outputs = [page, snapshot, metrics].join('\n');
          for (const value of [secret, ...(provider?.issuedValues() ?? [])]) expect(outputs).not.toContain(value);
        } finally {
          await dashboard.close();
          await world.close();
        }
      }),
      { numRuns: 8 },
    );
    const text = execFileSync(process.execPath, [INSPECT, dir], { encoding: 'utf8' });
    const json = execFileSync(process.execPath, [INSPECT, dir, '--json'], { encoding: 'utf8' });
    expect(text).toContain('Cookie rotation: total 24');
    expect(text).toMatch(/Job queues: queues 8, .*failed 8/);
    expect(text).toContain(`unknown-${run}`);
    for (const value of [...secrets, ...(provider?.issuedValues() ?? [])]) {
      expect(text).not.toContain(value);
      expect(json).not.toContain(value);
    }
  });
});
