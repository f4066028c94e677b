import type { IndexPage, IndexQuery, IndexSpec } from './index-query.js';
import type { RecordChange, RecordIndex } from './record-index.js';
import { SecondaryIndexes } from './secondary-index.js';
import type { CommitResult, QueryOptions, Store, StoredRecord, WriteOp } from './types.js';

/**
 * The read side every embedded store shares: acknowledged records live in a
 * {@link RecordIndex}, read synchronously or through the async `Store` calls.
 * Subclasses say when they are closed and how a batch becomes durable.
 * @internal
 */
export abstract class IndexedStore implements Store {
  /** Secondary indexes, moved with every applied change. */
  readonly #secondary = new SecondaryIndexes();

  protected constructor(protected readonly index: RecordIndex) {}

  /** Applies a landed commit's changes to the records and their secondary indexes. */
  protected applyChanges(changes: readonly RecordChange[]): void {
    this.#secondary.apply(changes, (collection, key) => this.index.get(collection, key));
    this.index.apply(changes);
  }

  /** Throws `ERR_STORE_CLOSED` once the store is closed. */
  protected abstract assertOpen(): void;

  abstract commit(batch: readonly WriteOp[]): Promise<CommitResult>;
  abstract close(): Promise<void>;

  /** Every non-empty collection with its record count (for inspection). */
  collections(): { readonly name: string; readonly records: number }[] {
    this.assertOpen();
    return this.index.collections();
  }

  /** Reads an acknowledged record synchronously (group-commit planning, invariant checks in simulated runs). */
  read<T = unknown>(collection: string, key: string): StoredRecord<T> | undefined {
    this.assertOpen();
    return this.index.get(collection, key) as StoredRecord<T> | undefined;
  }

  async get<T = unknown>(collection: string, key: string): Promise<StoredRecord<T> | undefined> {
    return this.read<T>(collection, key);
  }

  async query<T = unknown>(collection: string, options?: QueryOptions): Promise<StoredRecord<T>[]> {
    this.assertOpen();
    return this.index.query(collection, options) as StoredRecord<T>[];
  }

  async defineIndex(collection: string, spec: IndexSpec): Promise<void> {
    this.assertOpen();
    this.#secondary.define(collection, spec, this.index.query(collection));
  }

  async queryIndex<T = unknown>(collection: string, index: string, query?: IndexQuery): Promise<IndexPage<T>> {
    this.assertOpen();
    return this.#secondary.query<T>(collection, index, query, (c, key) => this.index.get(c, key));
  }
}
