/** The domains steward ships, in the order inspect and the dashboard show them. Add a domain here (or pass your own list) to show it. */
import type { OperatorDomain } from './domain.js';
import { cookiesDomain } from './domains/cookies.js';
import { cooksDomain } from './domains/cooks.js';
import { queuesDomain } from './domains/queues.js';
import { remindersDomain } from './domains/reminders.js';
import { workersDomain, type WorkersDomainOptions } from './domains/workers.js';

/**
 * Cooks, job queues, workers, cookie rotation and reminders; the workers domain takes its options (the registry ref, for its action).
 *
 * @example
 * ```ts
 * const ticketsDomain: OperatorDomain = { name: 'tickets', title: 'Tickets', read: async () => ({ counts: { open: 3 }, tables: [], alerts: [] }) };
 * dashboard({ system, reader: persistence, domains: [...defaultDomains(), ticketsDomain] });
 * ```
 */
export function defaultDomains(options: { readonly workers?: WorkersDomainOptions } = {}): OperatorDomain[] {
  return [cooksDomain(), queuesDomain(), workersDomain(options.workers), cookiesDomain(), remindersDomain()];
}
