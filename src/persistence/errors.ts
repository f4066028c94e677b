/**
 * Errors raised by the persistence subsystem. Each has a fixed `name`, a
 * literal `code`, the ids involved in its message and, where there is one, the
 * underlying error as `cause`.
 */
import { errorClass } from '../errors.js';

/** An expected revision did not match the stored one; the whole batch was refused and nothing changed. */
export class RevisionConflictError extends errorClass('RevisionConflictError', 'ERR_REVISION_CONFLICT') {}
/** A durable write failed; nothing in the failed commit was applied. The original error is the `cause`. */
export class PersistFailedError extends errorClass('PersistFailedError', 'ERR_PERSIST_FAILED') {}
/** Another live runtime owns the data directory; the message names its pid, host and start time. */
export class StoreLockedError extends errorClass('StoreLockedError', 'ERR_STORE_LOCKED') {}
/** The data directory was written by a newer schema than this code knows; it is never downgraded. */
export class SchemaTooNewError extends errorClass('SchemaTooNewError', 'ERR_SCHEMA_TOO_NEW') {}
/** The store (or the persistence actor) was closed and accepts no more work. */
export class StoreClosedError extends errorClass('StoreClosedError', 'ERR_STORE_CLOSED') {}
/** A write was malformed (empty collection name, non-JSON value, …); it changed nothing. */
export class InvalidWriteError extends errorClass('InvalidWriteError', 'ERR_INVALID_WRITE') {}
/** A patch named a record that does not exist; the whole batch was refused. */
export class RecordNotFoundError extends errorClass('RecordNotFoundError', 'ERR_RECORD_NOT_FOUND') {}
/** Files in the data directory are damaged beyond a torn (never acknowledged) journal tail. */
export class StoreCorruptError extends errorClass('StoreCorruptError', 'ERR_STORE_CORRUPT') {}
/** A memory store's `crash()` discarded this commit before it was acknowledged. */
export class StoreCrashedError extends errorClass('StoreCrashedError', 'ERR_STORE_CRASHED') {}
/** A migration list is unusable (gaps, duplicates) or a migration threw. */
export class MigrationFailedError extends errorClass('MigrationFailedError', 'ERR_MIGRATION_FAILED') {}
