/** The dashboard over loopback HTTP: page, SSE, JSON, Prometheus, read-only by default, actions only with the token, nothing secret. */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultDomains, startDashboard, type DashboardServer, type DashboardSnapshot } from '../../src/operator/index.js';
import { startLiveSystem, type LiveSystem } from './fixtures/live-system.js';

/** Reads the first `count` SSE messages of `url`. */
function sse(url: string, count: number): Promise<DashboardSnapshot[]> {
  return new Promise((resolve, reject) => {
    const seen: DashboardSnapshot[] = [];
    const req = request(url, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const data = buffer.slice(0, end).split('\n').find((line) => line.startsWith('data: '));
          buffer = buffer.slice(end + 2);
          if (data) seen.push(JSON.parse(data.slice(6)) as DashboardSnapshot);
          if (seen.length === count) {
            req.destroy();
            resolve(seen);
          }
        }
      });
    });
    req.on('error', (error) => (seen.length >= count ? undefined : reject(error)));
    req.end();
  });
}

describe('dashboard', () => {
  let live: LiveSystem | undefined;
  let server: DashboardServer | undefined;
  afterEach(async () => {
    await server?.close();
    await live?.close();
    server = live = undefined;
  });

  it('serves the page, live snapshots over SSE and Prometheus text, with nothing secret', async () => {
    live = await startLiveSystem();
    server = await startDashboard({ system: live.system, reader: live.persistence, domains: defaultDomains(), intervalMs: 50 });
    live.deadLetter();
    const page = await (await fetch(server.url)).text();
    expect(page).toContain('<title>steward</title>');
    const [first, second] = await sse(`${server.url}events`, 2);
    expect(second?.tick).toBeGreaterThan(first?.tick ?? Infinity);
    expect(second?.turns.count).toBeGreaterThan(0);
    expect(second?.actors.byType).toMatchObject({ ticker: 1, vault: 1, 'worker-registry': 1 });
    const workers = second?.domains.find((domain) => domain.name === 'workers');
    expect(workers?.view.alerts).toEqual(['version drift in default: 2 versions RUNNING (a1b2c3d, e4f5a6b)']);
    expect(workers?.view.tables[0]?.rows).toHaveLength(2);
    expect(second?.incidents).toContainEqual(expect.objectContaining({ event: 'dead letter', actor: 'ticker/gone' }));
    expect(second?.actions).toEqual({}); // read-only: no action offered

    const metrics = await fetch(`${server.url}metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await metrics.text();
    expect(text).toMatch(/^steward_actors_live\{type="ticker"\} 1$/m);
    expect(text).toMatch(/^steward_turn_duration_seconds_bucket\{le="\+Inf"\} \d+$/m);
    expect(text).toMatch(/^steward_dead_letters_total\{reason="stopped"\} 1$/m);
    expect(text).toMatch(/^steward_domain_count\{domain="workers",name="active"\} 2$/m);

    const json = await (await fetch(`${server.url}snapshot.json`)).text();
    for (const body of [page, JSON.stringify([first, second]), text, json]) expect(body).not.toContain(live.secret);
  });

  it('is read-only by default: actions are refused, as is any method but GET', async () => {
    live = await startLiveSystem();
    server = await startDashboard({ system: live.system, reader: live.persistence, domains: defaultDomains({ workers: { registry: live.registry } }) });
    const action = await fetch(`${server.url}actions/workers/deregister?target=${live.workerIds[0]}`, { method: 'POST' });
    expect(action.status).toBe(403);
    expect(await action.json()).toMatchObject({ code: 'ERR_ACTIONS_DISABLED' });
    expect((await fetch(server.url, { method: 'DELETE' })).status).toBe(405);
    expect(await live.registry.ask('list', {})).toHaveLength(2); // nothing changed
  });

  it('runs an enabled action only for the bearer of the token', async () => {
    live = await startLiveSystem();
    const token = randomBytes(24).toString('hex');
    server = await startDashboard({ system: live.system, reader: live.persistence, domains: defaultDomains({ workers: { registry: live.registry } }), actions: { token } });
    const url = `${server.url}actions/workers/deregister?target=${live.workerIds[0]}`;
    const anonymous = await fetch(url, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${'x'.repeat(token.length)}` } });
    expect(wrong.status).toBe(401);
    expect(await live.registry.ask('list', {})).toHaveLength(2);
    const snapshot = (await (await fetch(`${server.url}snapshot.json`)).json()) as DashboardSnapshot;
    expect(snapshot.actions).toEqual({ workers: ['deregister'] });
    expect(JSON.stringify(snapshot)).not.toContain(token);
    expect(await (await fetch(server.url)).text()).not.toContain(token);

    const allowed = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(await allowed.json()).toEqual({ ok: true, message: `worker ${live.workerIds[0]} deregistered` });
    expect(await live.registry.ask('list', {})).toHaveLength(1);
  });

  it('refuses a short token at construction', async () => {
    live = await startLiveSystem();
    await expect(startDashboard({ system: live.system, actions: { token: 'short' } })).rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG' });
  });
});
