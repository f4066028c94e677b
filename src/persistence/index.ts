export type { CommitResult, GroupOutcome, QueryOptions, RevisionEntry, Store, StoredRecord, WriteOp } from './types.js';
export { revisionOf } from './types.js';
export type { IndexPage, IndexQuery, IndexSpec, IndexValue } from './index-query.js';
export { InvalidQueryError } from './index-query.js';
export type { CommitGate, MemoryStoreOptions } from './memory-store.js';
export { MemoryStore } from './memory-store.js';
export type { LowdbStoreEvent, LowdbStoreOptions } from './lowdb-store.js';
export { LowdbStore } from './lowdb-store.js';
export type { PgStoreOptions } from './pg-store.js';
export { PgStore } from './pg-store.js';
export type { Fence, PgCommitOptions } from './pg-fence.js';
export { FencedError } from './pg-fence.js';
export type { PersistenceOptions, PersistenceStats } from './persistence.js';
export { Persistence, PERSISTENCE_COMMIT_CHANNEL } from './persistence.js';
export type { RetryOptions } from './retry.js';
export { isTransientError, TRANSIENT_ERROR_CODES } from './retry.js';
export type { Migration } from './migrations.js';
export type { SnapshotRecord, StoreDocument } from './snapshot.js';
export { DurableJsonFile } from './snapshot.js';
export type { LockOwner } from './dir-lock.js';
export type { RetentionPolicy, RetentionTarget } from './retention.js';
export { planRetention, pruneCollection } from './retention.js';
export {
  CommitOutcomeUnknownError,
  InvalidWriteError,
  LockLostError,
  MigrationFailedError,
  PersistFailedError,
  RecordNotFoundError,
  RevisionConflictError,
  SchemaTooNewError,
  StoreClosedError,
  StoreCorruptError,
  StoreCrashedError,
  StoreLockedError,
} from './errors.js';
