/** The dashboard on a port of its own, for services without an HTTP server (and the demo). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dashboard, type Dashboard, type DashboardOptions } from './dashboard.js';

/**
 * Options of {@link startDashboard}: the dashboard's, plus where to listen.
 *
 * @example
 * ```ts
 * await startDashboard({ system, reader: persistence, domains: defaultDomains(), port: 9090 });
 * ```
 */
export interface StartDashboardOptions extends DashboardOptions {
  /** Default 0: a free port. */
  readonly port?: number;
  /** Default `127.0.0.1`: only this machine sees it unless you choose otherwise. */
  readonly host?: string;
}

/**
 * A running dashboard server.
 *
 * @example
 * ```ts
 * const ops = await startDashboard({ system, reader: persistence, domains: defaultDomains() });
 * console.log(`dashboard: ${ops.url}`);
 * await ops.close();
 * ```
 */
export interface DashboardServer {
  readonly url: string;
  readonly dashboard: Dashboard;
  close(): Promise<void>;
}

/** @example `const { url, close } = await startDashboard({ system, port: 9090 });` */
export async function startDashboard(options: StartDashboardOptions): Promise<DashboardServer> {
  const mounted = dashboard(options);
  const server = createServer((request, response) => mounted.handle(request, response));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    dashboard: mounted,
    close: async () => {
      mounted.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
