/**
 * How the queues domain reads job records without the queue actor and
 * without scanning a queue's history: the jobs package's two secondary
 * indexes of the `jobs` collection (`JOB_INDEXES`), declared by the domain
 * on the reader it is given, and bounded pages of them.
 * @internal
 */
import { defineJobIndexes, JOBS, JOBS_BY_FINISH, JOBS_BY_STATUS, type Job, type JobStatus } from '../../actors/jobs/index.js';
import type { StoredRecord } from '../../persistence/index.js';
import type { RecordReader } from '../domain.js';

/** Most jobs of one status read to count them; past it, the count shows as at least this. */
export const COUNT_CAP = 1_000;
/** Records per probe for the latest failures. */
const FAILURE_PAGE = 200;

/** A reader with secondary indexes. */
export type IndexedReader = RecordReader & Required<Pick<RecordReader, 'defineIndex' | 'queryIndex'>>;

/** Whether `reader` has secondary indexes. */
export function hasIndexes(reader: RecordReader): reader is IndexedReader {
  return typeof reader.defineIndex === 'function' && typeof reader.queryIndex === 'function';
}

/** Declares the job indexes once per reader. */
export function indexDeclarations(): (reader: IndexedReader) => Promise<void> {
  const declared = new WeakMap<object, Promise<void>>();
  return (reader) => {
    let done = declared.get(reader);
    if (!done) {
      done = defineJobIndexes(reader);
      done.catch(() => declared.delete(reader)); // tried again on the next read
      declared.set(reader, done);
    }
    return done;
  };
}

/** Up to {@link COUNT_CAP} jobs of `queue` in `status`, oldest queued first, and whether there are more. */
export async function jobsInStatus(reader: IndexedReader, queue: string, status: JobStatus): Promise<{ jobs: StoredRecord<Job>[]; more: boolean }> {
  const page = await reader.queryIndex<Job>(JOBS, JOBS_BY_STATUS.name, { eq: [queue, status], limit: COUNT_CAP });
  return { jobs: page.records, more: page.next !== undefined };
}

/**
 * The `count` latest failed jobs of `queue`, newest first. Index pages run
 * in ascending finish time, so it looks for a start time whose page (the
 * failures finished since then) holds between `count` and one page of
 * records, bisecting between a start with more than a page and one with
 * fewer than `count`: a few probes of one small page each, however many
 * failures retention keeps.
 */
export async function latestFailures(reader: IndexedReader, queue: string, now: number, count: number): Promise<StoredRecord<Job>[]> {
  const probe = (since: number | undefined) =>
    reader.queryIndex<Job>(JOBS, JOBS_BY_FINISH.name, { eq: [queue, 'failed'], ...(since === undefined ? {} : { gte: since }), limit: FAILURE_PAGE });
  const newest = (records: readonly StoredRecord<Job>[]) => records.slice(-count).reverse();
  const all = await probe(undefined);
  if (all.next === undefined) return newest(all.records);
  // Since `full`: more than a page of failures; since `sparse`: fewer than `count`.
  let full = all.records[0]?.value.finishedAt ?? 0;
  let sparse = Math.max(now, full) + 1;
  let tail: StoredRecord<Job>[] = [];
  while (sparse - full > 1) {
    const mid = Math.floor((full + sparse) / 2);
    const page = await probe(mid);
    if (page.next !== undefined) full = mid;
    else if (page.records.length < count) {
      sparse = mid;
      tail = page.records;
    } else return newest(page.records);
  }
  // More than a page finished in the one millisecond `full`: the newest after it, then some of that millisecond's.
  const crowded = (await probe(full)).records.filter((record) => record.value.finishedAt === full);
  return newest([...crowded, ...tail]);
}
