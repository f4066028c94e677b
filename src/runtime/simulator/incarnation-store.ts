import type { CommitResult, IndexPage, IndexQuery, IndexSpec, MemoryStore, QueryOptions, Store, StoredRecord, WriteOp } from '../../persistence/index.js';
import { StoreCrashedError } from '../../persistence/errors.js';

/**
 * The store as one system incarnation reaches it. After a whole-system
 * crash, `kill()` cuts it off: a dead process's queued writes must never land
 * in the store the next incarnation reads.
 * @internal
 */
export class IncarnationStore implements Store {
  #alive = true;

  constructor(private readonly store: MemoryStore) {}

  kill(): void {
    this.#alive = false;
  }

  read<T = unknown>(collection: string, key: string): StoredRecord<T> | undefined {
    if (!this.#alive) throw new StoreCrashedError('this process crashed: its store connection is gone');
    return this.store.read<T>(collection, key);
  }

  get<T = unknown>(collection: string, key: string): Promise<StoredRecord<T> | undefined> {
    return this.#alive ? this.store.get<T>(collection, key) : this.#dead();
  }

  query<T = unknown>(collection: string, options?: QueryOptions): Promise<StoredRecord<T>[]> {
    return this.#alive ? this.store.query<T>(collection, options) : this.#dead();
  }

  defineIndex(collection: string, spec: IndexSpec): Promise<void> {
    return this.#alive ? this.store.defineIndex(collection, spec) : this.#dead();
  }

  queryIndex<T = unknown>(collection: string, index: string, query?: IndexQuery): Promise<IndexPage<T>> {
    return this.#alive ? this.store.queryIndex<T>(collection, index, query) : this.#dead();
  }

  commit(batch: readonly WriteOp[]): Promise<CommitResult> {
    return this.#alive ? this.store.commit(batch) : this.#dead();
  }

  async close(): Promise<void> {}

  #dead(): Promise<never> {
    return Promise.reject(new StoreCrashedError('this process crashed: its store connection is gone'));
  }
}
