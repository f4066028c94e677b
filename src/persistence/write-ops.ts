/**
 * Boundary validation of write batches. Every store and the persistence actor
 * run a batch through {@link validateBatch} before touching state, so bad input
 * fails with one clear `ERR_INVALID_WRITE` and changes nothing.
 * @internal
 */
import { z } from 'zod';
import { InvalidWriteError } from './errors.js';
import { freezeJson } from './json-value.js';
import type { WriteOp } from './types.js';

/** Collection names travel into file formats and, later, SQL: keep them boring. */
const COLLECTION_NAME = /^[A-Za-z0-9_.:-]{1,200}$/;
const RECORD_KEY = /^[^\u0000-\u001f]{1,1024}$/;
const collection = z.string().regex(COLLECTION_NAME, 'collection names are 1-200 characters of A-Z a-z 0-9 _ . : -');
const key = z.string().regex(RECORD_KEY, 'keys are 1-1024 characters without control characters');
const expectedRevision = z.number().int('expectedRevision must be an integer').min(0).optional();

/** One write op as the boundary accepts it. @internal */
export const writeOpSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('put'), collection, key, value: z.unknown(), expectedRevision }),
  z.strictObject({ op: z.literal('patch'), collection, key, patch: z.record(z.string(), z.unknown()), expectedRevision }),
  z.strictObject({ op: z.literal('delete'), collection, key, expectedRevision }),
]);
const batchSchema = z.array(writeOpSchema);
type CheckedOp = z.infer<typeof writeOpSchema>;
/** Ops this module produced: frozen, so they cannot have changed since they were checked. */
const validated = new WeakSet<WriteOp>();

/** The composite map key of `(collection, key)`; NUL cannot occur in either part. @internal */
export function recordId(collectionName: string, recordKey: string): string {
  return `${collectionName}\u0000${recordKey}`;
}

/**
 * Checks `batch` and returns it with every value and patch deep-frozen, or
 * throws {@link InvalidWriteError} naming the first problem.
 * @internal
 */
export function validateBatch(batch: readonly WriteOp[]): WriteOp[] {
  // The persistence actor validated these already; the store it forwards them to need not redo it.
  if (Array.isArray(batch) && batch.every((op) => validated.has(op))) return [...batch];
  // Every commit passes here: ops that plainly meet the schema skip the zod parse, which
  // then runs only to accept the unusual shapes or to name what is wrong.
  const checked: readonly CheckedOp[] = Array.isArray(batch) && batch.every(isPlainWriteOp) ? batch : parseBatch(batch);
  const ops = checked.map((op, index): WriteOp => {
    const where = `batch[${index}] (${op.collection}/${op.key})`;
    const conditional = op.expectedRevision === undefined ? undefined : { expectedRevision: op.expectedRevision };
    switch (op.op) {
      case 'put':
        if (!Object.hasOwn(batch[index] as object, 'value')) throw new InvalidWriteError(`Invalid write at ${where}: a put needs a value.`);
        return { op: 'put', collection: op.collection, key: op.key, value: freezeJson(op.value, `${where}.value`), ...conditional };
      case 'patch':
        return {
          op: 'patch',
          collection: op.collection,
          key: op.key,
          patch: freezeJson(op.patch, `${where}.patch`) as Record<string, unknown>,
          ...conditional,
        };
      case 'delete':
        return { op: 'delete', collection: op.collection, key: op.key, ...conditional };
    }
  });
  for (const op of ops) validated.add(Object.freeze(op));
  return ops;
}

/** The zod parse: accepts what the schema accepts, or throws {@link InvalidWriteError} naming the first problem. */
function parseBatch(batch: unknown): readonly CheckedOp[] {
  const parsed = batchSchema.safeParse(batch);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? `batch${issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}` : 'batch';
    throw new InvalidWriteError(`Invalid write at ${path}: ${issue?.message ?? 'not a write batch'}.`, { cause: parsed.error });
  }
  return parsed.data;
}

/**
 * The schema's rules for the plain case: own properties exactly as the op
 * names them, a valid collection and key, a non-negative integer
 * `expectedRevision` if any. False sends the batch through {@link parseBatch}.
 * @internal
 */
export function isPlainWriteOp(op: unknown): boolean {
  if (typeof op !== 'object' || op === null) return false;
  const fields = op as Record<string, unknown>;
  let expected = 3; // op, collection, key
  switch (fields['op']) {
    case 'put':
      if (!Object.hasOwn(fields, 'value')) return false;
      expected += 1;
      break;
    case 'patch': {
      const patch = fields['patch'];
      if (!Object.hasOwn(fields, 'patch') || typeof patch !== 'object' || patch === null || Array.isArray(patch)) return false;
      expected += 1;
      break;
    }
    case 'delete':
      break;
    default:
      return false;
  }
  if (Object.hasOwn(fields, 'expectedRevision')) {
    const revision = fields['expectedRevision'];
    if (revision !== undefined && !(Number.isSafeInteger(revision) && (revision as number) >= 0)) return false;
    expected += 1;
  }
  const { collection: name, key: recordKey } = fields;
  return (
    Object.hasOwn(fields, 'op') &&
    typeof name === 'string' &&
    Object.hasOwn(fields, 'collection') &&
    COLLECTION_NAME.test(name) &&
    typeof recordKey === 'string' &&
    Object.hasOwn(fields, 'key') &&
    RECORD_KEY.test(recordKey) &&
    Object.keys(fields).length === expected
  );
}
