/**
 * `npm run inspect [-- DIR]`: what a data directory holds — schema version,
 * commit sequence, journal size, collections with record counts, and each
 * cook at a glance. Prints ids, counts and statuses only, never stored
 * values, so nothing secret leaves the store. Takes the directory's lock like
 * any runtime: while another process owns it, it says who (ERR_STORE_LOCKED).
 */
import { COOKS, CookStateSchema } from '../actors/cook/index.js';
import { StewardError } from '../errors.js';
import { LowdbStore } from '../persistence/index.js';

async function main(): Promise<number> {
  const dir = process.argv[2] ?? process.env.STEWARD_DATA_DIR ?? './data';
  let store: LowdbStore;
  try {
    store = await LowdbStore.open({ dir });
  } catch (error) {
    console.error(error instanceof StewardError ? `${error.code}: ${error.message}` : error);
    return 1;
  }
  try {
    const { schemaVersion, sequence, records, journalBytes, journals, compactions } = store.stats;
    console.log(`${dir}: schema v${schemaVersion}, commit #${sequence}, ${records} records, journal ${journalBytes} bytes in ${journals} file(s), ${compactions} compaction(s) this session`);
    for (const { name, records: count } of store.collections()) console.log(`  ${name.padEnd(24)} ${String(count).padStart(8)} records`);
    const cooks = await store.query(COOKS);
    if (cooks.length > 0) console.log('\ncooks:');
    for (const record of cooks) {
      const cook = CookStateSchema.safeParse(record.value);
      const line = cook.success
        ? `${cook.data.status.padEnd(9)} ${cook.data.generatedCount}/${cook.data.total}  pending ${Object.keys(cook.data.pending).length}  running ${Object.keys(cook.data.running).length}${cook.data.failureReason ? `  (${cook.data.failureReason})` : ''}`
        : 'not a valid cook state';
      console.log(`  ${record.key.padEnd(32)} rev ${String(record.revision).padStart(5)}  ${line}`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

process.exitCode = await main();
