/**
 * The state port a cluster node's actors write through: the node's
 * persistence actor, plus one rule: a write the store fenced (`ERR_FENCED`)
 * proves the lease gone, so its actor is deactivated before it can do more.
 */
import type { CommitOptions, CommitResult, IndexPage, IndexQuery, IndexSpec, QueryOptions, StatePort, StoredRecord, WriteOp } from '../runtime/ports/index.js';
import { InvalidConfigError } from '../index.js';
import type { LeaseOwnership } from './lease-ownership.js';

/** @internal */
export class FencedStatePort implements StatePort {
  constructor(
    private readonly port: StatePort,
    private readonly ownership: LeaseOwnership,
  ) {}

  get<T = unknown>(collection: string, key: string): Promise<StoredRecord<T> | undefined> {
    return this.port.get<T>(collection, key);
  }

  query<T = unknown>(collection: string, options?: QueryOptions): Promise<StoredRecord<T>[]> {
    return this.port.query<T>(collection, options);
  }

  defineIndex(collection: string, spec: IndexSpec): Promise<void> {
    return this.port.defineIndex ? this.port.defineIndex(collection, spec) : Promise.reject(noIndexes());
  }

  queryIndex<T = unknown>(collection: string, index: string, query?: IndexQuery): Promise<IndexPage<T>> {
    return this.port.queryIndex ? this.port.queryIndex<T>(collection, index, query) : Promise.reject(noIndexes());
  }

  async commit(batch: readonly WriteOp[], options?: CommitOptions): Promise<CommitResult> {
    try {
      return await this.port.commit(batch, options);
    } catch (error) {
      if (options?.fence && (error as { code?: unknown }).code === 'ERR_FENCED') this.ownership.fenced(options.fence);
      throw error;
    }
  }

  close(): Promise<void> {
    return this.port.close();
  }

  onUnusable(listener: (error: Error) => void): void {
    this.port.onUnusable?.(listener);
  }
}

function noIndexes(): InvalidConfigError {
  return new InvalidConfigError('the state port has no secondary indexes (defineIndex / queryIndex)');
}
