/**
 * Boundary validation of write batches. Every store and the persistence actor
 * run a batch through {@link validateBatch} before touching state, so bad input
 * fails with one clear `ERR_INVALID_WRITE` and changes nothing.
 * @internal
 */
import { z } from 'zod';
import { InvalidWriteError } from './errors.js';
import { freezeJson } from './json-value.js';
import { objectMark } from './object-mark.js';
import type { WriteOp } from './types.js';

/** Collection names travel into file formats and, later, SQL: keep them boring. */
const collection = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'collection names are 1-200 characters of A-Z a-z 0-9 _ . : -');
const key = z
  .string()
  .regex(/^[^\u0000-\u001f]{1,1024}$/, 'keys are 1-1024 characters without control characters');
const expectedRevision = z.number().int('expectedRevision must be an integer').min(0).optional();

const writeOpSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('put'), collection, key, value: z.unknown(), expectedRevision }),
  z.strictObject({ op: z.literal('patch'), collection, key, patch: z.record(z.string(), z.unknown()), expectedRevision }),
  z.strictObject({ op: z.literal('delete'), collection, key, expectedRevision }),
]);
const batchSchema = z.array(writeOpSchema);
/** Ops this module produced: frozen, so they cannot have changed since they were checked. */
const validated = objectMark();

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
  const parsed = batchSchema.safeParse(batch);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? `batch${issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}` : 'batch';
    throw new InvalidWriteError(`Invalid write at ${path}: ${issue?.message ?? 'not a write batch'}.`, { cause: parsed.error });
  }
  const ops = parsed.data.map((op, index): WriteOp => {
    // Worded only for an error: every commit comes through here.
    const where = () => `batch[${index}] (${op.collection}/${op.key})`;
    const conditional = op.expectedRevision === undefined ? {} : { expectedRevision: op.expectedRevision };
    switch (op.op) {
      case 'put':
        if (!Object.hasOwn(batch[index] as object, 'value')) throw new InvalidWriteError(`Invalid write at ${where()}: a put needs a value.`);
        return { op: 'put', collection: op.collection, key: op.key, value: freezeJson(op.value, () => `${where()}.value`), ...conditional };
      case 'patch':
        return {
          op: 'patch',
          collection: op.collection,
          key: op.key,
          patch: freezeJson(op.patch, () => `${where()}.patch`) as Record<string, unknown>,
          ...conditional,
        };
      case 'delete':
        return { op: 'delete', collection: op.collection, key: op.key, ...conditional };
    }
  });
  for (const op of ops) {
    validated.add(op);
    Object.freeze(op);
  }
  return ops;
}
