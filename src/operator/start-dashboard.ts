/** The dashboard on a port of its own, for services without an HTTP server (and the demo). */
import { listenLocal } from '../http/index.js';
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
  const host = options.host ?? '127.0.0.1';
  const server = await listenLocal((request, response) => mounted.handle(request, response), { port: options.port ?? 0, host });
  return {
    url: `http://${host}:${server.port}/`,
    dashboard: mounted,
    close: async () => {
      mounted.close();
      await server.close();
    },
  };
}
