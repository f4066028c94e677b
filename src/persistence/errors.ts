/**
 * Errors raised by the persistence subsystem. Each has a fixed `name`, a
 * literal `code`, the ids involved in its message and, where there is one, the
 * underlying error as `cause`.
 */
import { errorClass } from '../errors.js';

/**
 * An expected revision did not match the stored one; the whole batch was refused and nothing changed.
 *
 * @example
 * ```ts
 * declare const loaded: StoredRecord<Job>;
 * declare function reloadAndRetry(jobId: string): Promise<void>;
 * const job = { ...loaded.value, status: 'completed' };
 * await persistence.commit([{ op: 'put', collection: 'jobs', key: jobId, value: job, expectedRevision: loaded.revision }])
 *   .catch((error) => { if (error instanceof RevisionConflictError) return reloadAndRetry(jobId); throw error; });
 * ```
 */
export class RevisionConflictError extends errorClass('RevisionConflictError', 'ERR_REVISION_CONFLICT') {}
/**
 * A durable write failed; nothing in the failed commit was applied. The original error is the `cause`.
 *
 * @example
 * ```ts
 * try { await persistence.commit(batch); }
 * catch (error) { if (error instanceof PersistFailedError) console.error('cook not saved; nothing was written', error.cause); else throw error; }
 * ```
 */
export class PersistFailedError extends errorClass('PersistFailedError', 'ERR_PERSIST_FAILED') {}
/**
 * Another live runtime owns the data directory; the message names its pid, host and start time.
 *
 * @example
 * ```ts
 * const store = await LowdbStore.open({ dir: './data' }).catch((error) => {
 *   if (error instanceof StoreLockedError) console.error(error.message); // 'Data directory … is locked by pid 4242 on host …'
 *   throw error;
 * });
 * ```
 */
export class StoreLockedError extends errorClass('StoreLockedError', 'ERR_STORE_LOCKED') {}
/**
 * The data directory was written by a newer schema than this code knows; it is never downgraded.
 *
 * @example
 * ```ts
 * // ./data was last opened by code at schema version 3
 * await LowdbStore.open({ dir: './data', schemaVersion: 2 }); // rejects with SchemaTooNewError (code 'ERR_SCHEMA_TOO_NEW')
 * ```
 */
export class SchemaTooNewError extends errorClass('SchemaTooNewError', 'ERR_SCHEMA_TOO_NEW') {}
/**
 * The store (or the persistence actor) was closed and accepts no more work.
 *
 * @example
 * ```ts
 * await persistence.close();
 * await persistence.commit(batch).catch((error) => { if (error.code === 'ERR_STORE_CLOSED') console.log('shutting down: not saved'); });
 * ```
 */
export class StoreClosedError extends errorClass('StoreClosedError', 'ERR_STORE_CLOSED') {}
/**
 * A write was malformed (empty collection name, non-JSON value, …); it changed nothing.
 *
 * @example
 * ```ts
 * await store.commit([{ op: 'put', collection: '', key: 'job-1', value: { status: 'queued' } }])
 *   .catch((error) => { if (error instanceof InvalidWriteError) console.error(error.message); }); // 'Invalid write at batch[0].collection: …'
 * ```
 */
export class InvalidWriteError extends errorClass('InvalidWriteError', 'ERR_INVALID_WRITE') {}
/**
 * A patch named a record that does not exist; the whole batch was refused.
 *
 * @example
 * ```ts
 * await persistence.commit([{ op: 'patch', collection: 'jobs', key: 'job-404', patch: { status: 'done' } }])
 *   .catch((error) => { if (error instanceof RecordNotFoundError) console.warn('no such job; nothing written'); });
 * ```
 */
export class RecordNotFoundError extends errorClass('RecordNotFoundError', 'ERR_RECORD_NOT_FOUND') {}
/**
 * Files in the data directory are damaged beyond a torn (never acknowledged) journal tail.
 *
 * @example
 * ```ts
 * const store = await LowdbStore.open({ dir: './data' }).catch((error) => {
 *   if (error.code === 'ERR_STORE_CORRUPT') console.error(`restore ./data from a backup: ${error.message}`);
 *   throw error;
 * });
 * ```
 */
export class StoreCorruptError extends errorClass('StoreCorruptError', 'ERR_STORE_CORRUPT') {}
/**
 * A memory store's `crash()` discarded this commit before it was acknowledged.
 *
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * const store = new MemoryStore({ gate: () => {} }); // holds every commit
 * const pending = store.commit([{ op: 'put', collection: 'jobs', key: 'job-1', value: { status: 'queued' } }]);
 * store.crash();
 * await expect(pending).rejects.toBeInstanceOf(StoreCrashedError);
 * ```
 */
export class StoreCrashedError extends errorClass('StoreCrashedError', 'ERR_STORE_CRASHED') {}
/**
 * A migration list is unusable (gaps, duplicates) or a migration threw.
 *
 * @example
 * ```ts
 * const addTags: Migration = { version: 2, name: 'add tags', up: (doc) => doc };
 * await LowdbStore.open({ dir: './data', migrations: [addTags] }).catch((error) => {
 *   if (error instanceof MigrationFailedError) console.error(error.message, error.cause); // addTags threw: nothing was written
 *   throw error;
 * });
 * ```
 */
export class MigrationFailedError extends errorClass('MigrationFailedError', 'ERR_MIGRATION_FAILED') {}
/**
 * This store no longer owns its data directory: another process took the lock
 * over, or the store fenced itself because it could not confirm its lock in
 * time (its heartbeat could not be written). Nothing more is written or read;
 * the owner should stop (an `ActorSystem` does so on its own).
 *
 * @example
 * ```ts
 * await persistence.commit(batch).catch((error) => {
 *   if (error instanceof LockLostError) process.exitCode = 75; // let the supervisor restart us elsewhere
 *   throw error;
 * });
 * ```
 */
export class LockLostError extends errorClass('LockLostError', 'ERR_LOCK_LOST') {}
/**
 * A commit failed after its bytes may have reached the disk (fdatasync failed,
 * a rollback failed, or the lock could not be confirmed after the write): it
 * may or may not be durable. Never retried automatically; re-read to find out.
 *
 * @example
 * ```ts
 * declare function reconcile(record: StoredRecord<unknown> | undefined): Promise<void>;
 * await persistence.commit(batch).catch(async (error) => {
 *   if (error instanceof CommitOutcomeUnknownError) return reconcile(await persistence.get('jobs', jobId));
 *   throw error;
 * });
 * ```
 */
export class CommitOutcomeUnknownError extends errorClass('CommitOutcomeUnknownError', 'ERR_COMMIT_OUTCOME_UNKNOWN') {}
