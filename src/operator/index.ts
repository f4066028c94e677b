/**
 * `steward/operator`: what an operator looks at. A live dashboard (a request
 * handler to mount, or a server of its own) with Server-Sent Events and a
 * Prometheus `/metrics`; the plug-in interface a domain implements to appear
 * there and in `npm run inspect`; and the built-in domains (cooks, job
 * queues, workers, cookie rotation, reminders).
 */
export { dashboard } from './dashboard.js';
export type { Dashboard, DashboardOptions } from './dashboard.js';
export { startDashboard } from './start-dashboard.js';
export type { DashboardServer, StartDashboardOptions } from './start-dashboard.js';
export type { DashboardSnapshot, TimingBrief } from './dashboard-snapshot.js';
export type { Cell, DomainAction, DomainTable, DomainView, OperatorDomain, ReadContext, RecordReader } from './domain.js';
export { PROMETHEUS_CONTENT_TYPE, prometheusText } from './prometheus.js';
export type { Incident } from './recent-events.js';
export { renderTable } from './text-table.js';
export { cooksDomain } from './domains/cooks.js';
export { workersDomain } from './domains/workers.js';
export type { WorkersDomainOptions } from './domains/workers.js';
export { remindersDomain } from './domains/reminders.js';
export { queuesDomain } from './domains/queues.js';
export { cookiesDomain } from './domains/cookies.js';
export { defaultDomains } from './default-domains.js';
