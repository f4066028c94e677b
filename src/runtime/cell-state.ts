import { InvalidConfigError, StateWriteRefusedError } from '../errors.js';
import type { ActorDefinition } from './define-actor.js';
import { commitStaged, type TurnWrites } from './reminders/turn-writes.js';
import { revisionOf, type CommitOptions, type CommitResult, type Fence, type IndexPage, type IndexQuery, type IndexSpec, type QueryOptions, type StatePort, type StateReader, type StoredRecord, type WriteOp } from './ports/index.js';

/** What loading and saving an actor's state record needs of its cell. @internal */
export interface StatefulCell {
  readonly definition: ActorDefinition;
  readonly key: string;
  readonly id: string;
  state: unknown;
  /** Revision of the state record as last loaded or saved by this incarnation (0: none yet). */
  revision: number;
  /** Bumped on every (re)load: a save that resolves later belongs to an earlier incarnation. */
  readonly incarnation: number;
  readonly host: { persistence(): StatePort; isStateCollection(collection: string): boolean; remindersChanged(earliestDue: number): void };
  /** Reminder and child-record writes of the current turn, staged until `save()` or the turn's end. */
  readonly writes: TurnWrites | undefined;
  /** The claim this incarnation writes under, when the system has an ownership port. */
  readonly fence: Fence | undefined;
}

/** The commit options of `cell`'s writes: its fence, if it has one. @internal */
function fenced(cell: StatefulCell): CommitOptions | undefined {
  return cell.fence && { fence: cell.fence };
}

/** The actor's state from the store (a private copy), or `undefined` if it has no record or no persistence. @internal */
export async function loadState(cell: StatefulCell): Promise<unknown> {
  const options = cell.definition.persistence;
  if (!options) return undefined;
  const record = await cell.host.persistence().get(options.collection, cell.key);
  cell.revision = record?.revision ?? 0;
  if (!record) return undefined;
  // Stored values are frozen and shared; the actor gets its own copy to change.
  const state = structuredClone(record.value);
  return options.schema ? options.schema.parse(state) : state;
}

/**
 * Writes the actor's own record at the revision it holds, plus the extra
 * writes it named, in one commit. The new revision is kept only if the cell
 * is still the incarnation that saved: after a restart reloaded the state, a
 * late save must not make the reloaded state look current.
 * @internal
 */
export async function saveState(cell: StatefulCell, alsoWrite: readonly WriteOp[]): Promise<CommitResult> {
  const options = cell.definition.persistence;
  if (!options) throw new InvalidConfigError(`actor type '${cell.definition.name}' has no persistence.collection to save to`);
  for (const write of alsoWrite) checkExtraWrite(cell, options.collection, write);
  // The turn's staged reminders and child records land in the same commit as the state.
  const staged = cell.writes?.take();
  const incarnation = cell.incarnation;
  const result = await cell.host.persistence().commit([
    { op: 'put', collection: options.collection, key: cell.key, value: cell.state, expectedRevision: cell.revision },
    ...alsoWrite,
    ...(staged?.ops ?? []),
  ], fenced(cell));
  if (cell.incarnation === incarnation) cell.revision = revisionOf(result, options.collection, cell.key) ?? cell.revision;
  if (staged?.reminders) cell.host.remindersChanged(staged.earliestDue);
  return result;
}

/**
 * Commits what a turn (or `onStart`) staged and did not save, on its own,
 * before the turn's reply: durability before acknowledgement.
 * @internal
 */
export function commitTurnWrites(cell: StatefulCell): Promise<void> | undefined {
  if (!cell.writes?.size) return undefined;
  const persistence = cell.host.persistence();
  return commitStaged(cell.writes, (ops) => persistence.commit(ops, fenced(cell)), (due) => cell.host.remindersChanged(due));
}

/**
 * The state port as one actor sees it: reads open, commits checked so that
 * no write overwrites an actor's state record without its revision.
 * @internal
 */
export class GuardedStatePort implements StateReader {
  constructor(private readonly cell: StatefulCell) {}

  get<T = unknown>(collection: string, key: string): Promise<StoredRecord<T> | undefined> {
    return this.cell.host.persistence().get<T>(collection, key);
  }

  query<T = unknown>(collection: string, options?: QueryOptions): Promise<StoredRecord<T>[]> {
    return this.cell.host.persistence().query<T>(collection, options);
  }

  /** Declares a secondary index; `ERR_INVALID_CONFIG` if the system's state port has none. */
  defineIndex(collection: string, spec: IndexSpec): Promise<void> {
    const port = this.cell.host.persistence();
    return port.defineIndex ? port.defineIndex(collection, spec) : Promise.reject(noIndexes());
  }

  /** One page of an index query; `ERR_INVALID_CONFIG` if the system's state port has no secondary indexes. */
  queryIndex<T = unknown>(collection: string, index: string, query?: IndexQuery): Promise<IndexPage<T>> {
    const port = this.cell.host.persistence();
    return port.queryIndex ? port.queryIndex<T>(collection, index, query) : Promise.reject(noIndexes());
  }

  /** An atomic durable commit; rejects with `ERR_STATE_WRITE_REFUSED` (nothing written) for a write that would overwrite a state record blind. */
  commit(batch: readonly WriteOp[]): Promise<CommitResult> {
    const port = this.cell.host.persistence();
    try {
      for (const write of batch) checkWrite(this.cell, write);
    } catch (error) {
      return Promise.reject(error);
    }
    return port.commit(batch, fenced(this.cell));
  }
}

function checkExtraWrite(cell: StatefulCell, ownCollection: string, write: WriteOp): void {
  if (write.collection === ownCollection && write.key === cell.key) {
    throw new StateWriteRefusedError(`actor ${cell.id} named its own state record in alsoWrite: save() already writes it`);
  }
  checkWrite(cell, write);
}

function checkWrite(cell: StatefulCell, write: WriteOp): void {
  if (write.expectedRevision === undefined && cell.host.isStateCollection(write.collection)) {
    throw new StateWriteRefusedError(
      `actor ${cell.id} would overwrite the state record '${write.collection}/${write.key}' without its revision: give expectedRevision`,
    );
  }
}

function noIndexes(): InvalidConfigError {
  return new InvalidConfigError('the state port has no secondary indexes (defineIndex / queryIndex): use a store that has them');
}
