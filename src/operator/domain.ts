/**
 * The plug-in interface of the operator surface: a domain (cooks, queues,
 * workers, cookies, reminders, …) appears in `npm run inspect` and on the dashboard by
 * implementing {@link OperatorDomain}. It reads its records through a
 * {@link RecordReader} (the live persistence actor on the dashboard, a
 * lock-free read of the data directory in inspect) and returns tables of
 * ids, statuses and counts. It never returns a secret: a domain whose
 * records hold one shows key names or a short hash, never the value.
 */
import type { ActorSystem, StateReader } from '../index.js';

/**
 * What a domain reads records through: `get` and `query` of a store or of
 * the persistence actor, and its secondary indexes where it has them
 * (`Persistence`, every shipped store, inspect's view), so a domain reads a
 * page of an index instead of scanning a collection.
 *
 * @example
 * ```ts
 * const reader: RecordReader = persistence; // a Persistence, a Store or inspect's read-only view
 * const cooks = await reader.query('cooks');
 * ```
 */
export type RecordReader = Pick<StateReader, 'get' | 'query' | 'defineIndex' | 'queryIndex'>;

/** A table cell: text, a number, or empty. */
export type Cell = string | number | null;

/**
 * One table of a domain's view.
 *
 * @example
 * ```ts
 * const table: DomainTable = { title: 'cooks', columns: ['cook', 'status', 'progress'], rows: [['autumn~ann', 'running', '12/60']] };
 * ```
 */
export interface DomainTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

/**
 * What a domain shows: headline counts (also exported to Prometheus as
 * `steward_domain_count{domain,name}`), tables, and alerts an operator must act on.
 *
 * @example
 * ```ts
 * const table: DomainTable = { title: 'Workers', columns: ['id', 'status'], rows: [['w-1', 'RUNNING'], ['w-2', 'RUNNING']] };
 * const view: DomainView = { counts: { running: 2, failed: 0 }, tables: [table], alerts: ['2 versions RUNNING: a1b2c3d, e4f5a6b'] };
 * ```
 */
export interface DomainView {
  readonly counts: Readonly<Record<string, number>>;
  readonly tables: readonly DomainTable[];
  readonly alerts: readonly string[];
}

/**
 * What a read is given besides the reader: the time to judge staleness and dues against.
 *
 * @example
 * ```ts
 * const context: ReadContext = { now: Date.now() };
 * ```
 */
export interface ReadContext {
  readonly now: number;
}

/**
 * An operator action (retry a job, pause a queue): offered on the dashboard
 * only when actions are enabled and the caller shows the bearer token.
 * `target` names what to act on (a job id, a worker id); the answer is a
 * short line for the operator. Throw a steward error (with a `code`) to refuse.
 *
 * @example
 * ```ts
 * const { WorkerRegistry } = createWorkerRegistry();
 * const deregister: DomainAction = async (target, { system }) => {
 *   await system.ref(WorkerRegistry, 'default').ask('deregister', { workerId: target });
 *   return `deregistered ${target}`;
 * };
 * ```
 */
export type DomainAction = (target: string, context: { readonly system: ActorSystem }) => Promise<string>;

/**
 * A domain on the operator surface.
 *
 * @example
 * ```ts
 * const invoices: OperatorDomain = {
 *   name: 'invoices',
 *   title: 'Invoices',
 *   read: async (reader) => {
 *     const open = await reader.query<{ status: string }>('invoices', { limit: 1_000 });
 *     const overdue = open.filter((invoice) => invoice.value.status === 'overdue').length;
 *     return { counts: { overdue }, tables: [], alerts: [] };
 *   },
 * };
 * dashboard({ system, reader: persistence, domains: [...defaultDomains(), invoices] });
 * ```
 */
export interface OperatorDomain {
  /** Stable id, lower case (`cooks`, `workers`): JSON keys, Prometheus labels, action paths. */
  readonly name: string;
  /** Heading on the dashboard and in inspect. */
  readonly title: string;
  /** The domain's view now. */
  read(reader: RecordReader, context: ReadContext): Promise<DomainView>;
  /** Actions by name, offered only when the dashboard enables actions. */
  readonly actions?: Readonly<Record<string, DomainAction>>;
}

/**
 * Reads every domain; one that fails shows its error code as an alert
 * instead of hiding the others.
 * @internal
 */
export async function readDomains(domains: readonly OperatorDomain[], reader: RecordReader, context: ReadContext): Promise<Array<{ name: string; title: string; view: DomainView }>> {
  return Promise.all(
    domains.map(async ({ name, title, read }) => {
      try {
        return { name, title, view: await read(reader, context) };
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? (error instanceof Error ? error.name : 'error'));
        return { name, title, view: { counts: {}, tables: [], alerts: [`could not read ${name}: ${code}`] } };
      }
    }),
  );
}
