/**
 * `npm run inspect [-- DIR] [--json]`: what a data directory holds, per
 * domain — the store (schema, commit, journals, who owns it), collections
 * with record counts, then every operator domain (cooks, job queues by
 * status with the latest failures, workers with drift and multiple-active
 * alerts, cookies with their monitors and latest failed rotations, reminders
 * due, and any domain added to `defaultDomains`). Reads a directory another process owns without taking
 * its lock and without writing anything (see inspect-reader.ts). Prints ids,
 * statuses, codes and counts only (cookie keys as name and short hash),
 * never stored values, so nothing secret leaves the store.
 */
import { defaultDomains, renderTable } from '../operator/index.js';
import { readDomains } from '../operator/domain.js';
import { readDataDirectory } from './inspect-reader.js';

async function main(args: readonly string[]): Promise<number> {
  const json = args.includes('--json');
  const dir = args.find((arg) => !arg.startsWith('--')) ?? process.env.STEWARD_DATA_DIR ?? './data';
  let view;
  try {
    view = await readDataDirectory(dir);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    console.error(`${code}: could not read ${dir}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const domains = await readDomains(defaultDomains(), view, { now: Date.now() });
  const owner = view.owner && { pid: view.owner.pid, hostname: view.owner.hostname, startedAt: new Date(view.owner.startedAt).toISOString() };
  const collections = view.collections();
  const records = collections.reduce((total, collection) => total + collection.records, 0);
  if (json) {
    const { schemaVersion, sequence, journals, journalBytes } = view;
    console.log(JSON.stringify({ dir, schemaVersion, sequence, records, journals, journalBytes, owner: owner ?? null, collections, domains }, null, 2));
    return 0;
  }
  console.log(`${dir}: schema v${view.schemaVersion}, commit #${view.sequence}, ${records} records, journal ${view.journalBytes} bytes in ${view.journals} file(s)`);
  console.log(owner ? `owned by pid ${owner.pid} on ${owner.hostname} since ${owner.startedAt} (read without its lock)` : 'no live owner');
  console.log(`\ncollections:\n${renderTable(['collection', 'records'], collections.map(({ name, records: count }) => [name, count]))}`);
  for (const { title, view: domain } of domains) {
    const counts = Object.entries(domain.counts).map(([name, value]) => `${name} ${value}`).join(', ');
    console.log(`\n${title}: ${counts}`);
    for (const alert of domain.alerts) console.log(`  ! ${alert}`);
    for (const table of domain.tables) if (table.rows.length > 0) console.log(renderTable(table.columns, table.rows));
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
