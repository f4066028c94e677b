/**
 * Reads of one tick, sent to PostgreSQL as one query: the persistence
 * actor's per-key look-ups before a group commit cost one round trip, not one
 * per key.
 */
import type { RecordRow } from './pg-sql.js';
import { toRecord } from './pg-sql.js';
import type { StoredRecord } from './types.js';
import { recordId } from './write-ops.js';

type PendingRead = { readonly collection: string; readonly key: string; readonly waiters: Array<(record: StoredRecord | undefined) => void>; readonly fail: Array<(error: unknown) => void> };

/** @internal */
export class TickReads {
  readonly #select: (collections: string[], keys: string[]) => Promise<{ rows: RecordRow[] }>;
  readonly #track: (work: Promise<void>) => void;
  #gathering: Map<string, PendingRead> | undefined;

  /** `select` runs the batched query; `track` is told of each query as soon as it is due, so a close in this tick still waits for it. */
  constructor(select: (collections: string[], keys: string[]) => Promise<{ rows: RecordRow[] }>, track: (work: Promise<void>) => void) {
    this.#select = select;
    this.#track = track;
  }

  read(collection: string, key: string): Promise<StoredRecord | undefined> {
    return new Promise((resolve, reject) => {
      let reads = this.#gathering;
      if (!reads) {
        const gathering = (this.#gathering = reads = new Map());
        this.#track(Promise.resolve().then(() => this.#send(gathering)));
      }
      const id = recordId(collection, key);
      let read = reads.get(id);
      if (!read) reads.set(id, (read = { collection, key, waiters: [], fail: [] }));
      read.waiters.push(resolve);
      read.fail.push(reject);
    });
  }

  /** Sends the reads gathered this tick as one query and settles each waiter. */
  #send(gathered: Map<string, PendingRead>): Promise<void> {
    if (this.#gathering === gathered) this.#gathering = undefined;
    const reads = [...gathered.values()];
    return this.#select(
      reads.map((read) => read.collection),
      reads.map((read) => read.key),
    ).then(
      ({ rows }) => {
        const found = new Map(rows.map((row) => [recordId(row.collection, row.key), toRecord(row)]));
        for (const read of reads) for (const resolve of read.waiters) resolve(found.get(recordId(read.collection, read.key)));
      },
      (error: unknown) => {
        for (const read of reads) for (const reject of read.fail) reject(error);
      },
    );
  }
}
