/**
 * Secondary indexes as the Store contract sees them: declared per collection,
 * over top-level fields of a record's value, queried in index order by
 * equality on leading fields and a range on the next one, a page at a time.
 * Every store means the same by them (see the index-query contract tests).
 */
import { z } from 'zod';
import { errorClass } from '../errors.js';
import type { IndexPage, IndexQuery, IndexSpec, IndexValue } from '../runtime/ports/index.js';

// The types are the runtime's state port's: the port is what the runtime sees of a store.
export type { IndexPage, IndexQuery, IndexSpec, IndexValue };

/**
 * A query or index declaration that cannot be run; nothing was read or changed.
 *
 * @example
 * ```ts
 * await store.queryIndex?.('jobs', 'no-such-index', {}).catch((error) => error.code); // 'ERR_INVALID_QUERY'
 * ```
 */
export class InvalidQueryError extends errorClass('InvalidQueryError', 'ERR_INVALID_QUERY') {}

const fieldName = z.string().regex(/^[A-Za-z0-9_$-]{1,100}$/, 'field names are 1-100 characters of A-Z a-z 0-9 _ $ -');
const indexSpecSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'index names are 1-100 characters of A-Z a-z 0-9 _ . : -'),
  fields: z
    .array(z.strictObject({ name: fieldName, type: z.enum(['string', 'number']) }))
    .min(1, 'an index needs at least one field')
    .max(8, 'an index has at most 8 fields'),
});
const indexValue = z.union([z.string(), z.number().refine(Number.isFinite, 'numbers in an index are finite')]);
const indexQuerySchema = z.strictObject({
  eq: z.array(indexValue).optional(),
  gt: indexValue.optional(),
  gte: indexValue.optional(),
  lt: indexValue.optional(),
  lte: indexValue.optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  cursor: z.string().optional(),
});
const cursorSchema = z.tuple([z.array(indexValue), z.string()]);

function fail(what: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  throw new InvalidQueryError(`Invalid ${what}${path ? ` at ${path}` : ''}: ${issue?.message ?? 'malformed'}.`, { cause: error });
}

/** Checks a declaration; throws `ERR_INVALID_QUERY`. @internal */
export function parseIndexSpec(spec: unknown): IndexSpec {
  const parsed = indexSpecSchema.safeParse(spec);
  if (!parsed.success) fail('index declaration', parsed.error);
  return parsed.data;
}

/** A checked query against `spec`: bounds fit the field they limit, the cursor decodes. @internal */
export interface CheckedQuery {
  readonly eq: readonly IndexValue[];
  readonly lower?: { readonly value: IndexValue; readonly inclusive: boolean };
  readonly upper?: { readonly value: IndexValue; readonly inclusive: boolean };
  readonly after?: readonly [readonly IndexValue[], string];
  readonly limit: number;
}

/** Checks `query` against `spec`; throws `ERR_INVALID_QUERY` naming the problem. @internal */
export function checkQuery(collection: string, spec: IndexSpec, query: unknown): CheckedQuery {
  const parsed = indexQuerySchema.safeParse(query ?? {});
  if (!parsed.success) fail(`query of ${collection}/${spec.name}`, parsed.error);
  const q = parsed.data;
  const eq = q.eq ?? [];
  const where = `query of ${collection}/${spec.name}`;
  if (eq.length > spec.fields.length) throw new InvalidQueryError(`Invalid ${where}: eq has ${eq.length} values, the index ${spec.fields.length} fields.`);
  eq.forEach((value, i) => checkType(where, spec, i, value, 'eq'));
  if (q.gt !== undefined && q.gte !== undefined) throw new InvalidQueryError(`Invalid ${where}: give gt or gte, not both.`);
  if (q.lt !== undefined && q.lte !== undefined) throw new InvalidQueryError(`Invalid ${where}: give lt or lte, not both.`);
  const lowerValue = q.gt ?? q.gte;
  const upperValue = q.lt ?? q.lte;
  if ((lowerValue !== undefined || upperValue !== undefined) && eq.length === spec.fields.length) {
    throw new InvalidQueryError(`Invalid ${where}: eq fixes every field, so there is no field left for a range.`);
  }
  if (lowerValue !== undefined) checkType(where, spec, eq.length, lowerValue, q.gt !== undefined ? 'gt' : 'gte');
  if (upperValue !== undefined) checkType(where, spec, eq.length, upperValue, q.lt !== undefined ? 'lt' : 'lte');
  let after: CheckedQuery['after'];
  if (q.cursor !== undefined) after = decodeCursor(where, spec, q.cursor);
  return {
    eq,
    ...(lowerValue === undefined ? {} : { lower: { value: lowerValue, inclusive: q.gte !== undefined } }),
    ...(upperValue === undefined ? {} : { upper: { value: upperValue, inclusive: q.lte !== undefined } }),
    ...(after ? { after } : {}),
    limit: q.limit ?? 100,
  };
}

function checkType(where: string, spec: IndexSpec, position: number, value: IndexValue, what: string): void {
  const field = spec.fields[position];
  if (field && typeof value !== field.type) {
    throw new InvalidQueryError(`Invalid ${where}: ${what} value for field '${field.name}' must be a ${field.type}, got ${typeof value}.`);
  }
}

/** The opaque cursor after the entry `(values, key)`. @internal */
export function encodeCursor(values: readonly IndexValue[], key: string): string {
  return Buffer.from(JSON.stringify([values, key])).toString('base64url');
}

function decodeCursor(where: string, spec: IndexSpec, cursor: string): readonly [readonly IndexValue[], string] {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidQueryError(`Invalid ${where}: the cursor is not one this index returned.`, { cause: error });
  }
  const parsed = cursorSchema.safeParse(raw);
  if (!parsed.success || parsed.data[0].length !== spec.fields.length) throw new InvalidQueryError(`Invalid ${where}: the cursor is not one this index returned.`);
  parsed.data[0].forEach((value, i) => checkType(where, spec, i, value, 'cursor'));
  return parsed.data;
}

/** The entry values of `value` under `spec`, or `undefined` when a field is missing or mistyped (not indexed). @internal */
export function entryValues(spec: IndexSpec, value: unknown): IndexValue[] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const values: IndexValue[] = [];
  for (const field of spec.fields) {
    const v = (value as Record<string, unknown>)[field.name];
    if (typeof v !== field.type || (typeof v === 'number' && !Number.isFinite(v))) return undefined;
    values.push(v as IndexValue);
  }
  return values;
}
