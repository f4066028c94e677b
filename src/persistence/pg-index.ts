/**
 * Secondary indexes on the PostgreSQL store: an index is a partial
 * expression index on `steward_records` (one per declaration), so it is
 * kept by PostgreSQL in the commit's own transaction and a failed commit
 * moves no entry. A query walks it in index order, equality on the leading
 * fields, a range on the next, resuming after a cursor by row comparison.
 * Strings compare byte-wise (`COLLATE "C"`), as keys do; a record enters
 * only when every field is present with its declared JSON type (sparse).
 * Declarations live in the store object: each node declares the indexes it
 * queries, as with the embedded stores.
 * @internal
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { IndexPage, IndexQuery, IndexSpec, IndexValue } from './index-query.js';
import { checkQuery, encodeCursor, entryValues, InvalidQueryError, parseIndexSpec } from './index-query.js';
import type { RecordRow } from './pg-sql.js';
import { toRecord } from './pg-sql.js';
import type { StoredRecord } from './types.js';

/** @internal */
export class PgIndexes {
  readonly #specs = new Map<string, IndexSpec>();

  constructor(
    private readonly pool: Pool,
    /** The checked, quoted schema name. */
    private readonly quoted: string,
  ) {}

  /** Declares (idempotently) an index of `collection`; `ERR_INVALID_QUERY` for a bad or changed declaration. */
  async define(collection: string, spec: IndexSpec): Promise<void> {
    const checked = parseIndexSpec(spec);
    const id = `${collection}\u0000${checked.name}`;
    const known = this.#specs.get(id);
    if (known) {
      if (JSON.stringify(known) === JSON.stringify(checked)) return;
      throw new InvalidQueryError(`Index ${collection}/${checked.name} is already declared over other fields; give the new one another name.`);
    }
    const name = `steward_ix_${createHash('sha256').update(JSON.stringify([collection, checked])).digest('hex').slice(0, 24)}`;
    const columns = checked.fields.map((field) => fieldExpression(field)).join(', ');
    const sql = `CREATE INDEX IF NOT EXISTS ${name} ON ${this.quoted}.steward_records (${columns}, key) WHERE ${sparse(checked, literal(collection))}`;
    await this.pool.query(sql).catch((error: { code?: string }) => {
      if (error.code !== '23505' && error.code !== '42P07') throw error; // another node created it at the same moment
    });
    this.#specs.set(id, checked);
  }

  /** One page of `collection` in the order of its index `name`. */
  async query<T>(collection: string, name: string, query: IndexQuery | undefined): Promise<IndexPage<T>> {
    const spec = this.#specs.get(`${collection}\u0000${name}`);
    if (!spec) throw new InvalidQueryError(`No index ${collection}/${name}: declare it with defineIndex('${collection}', { name: '${name}', fields }) first.`);
    const checked = checkQuery(collection, spec, query);
    const params: unknown[] = [collection];
    const param = (value: unknown, type: string): string => {
      params.push(value);
      return `$${params.length}::${type}`;
    };
    const where = [sparse(spec, '$1')];
    checked.eq.forEach((value, i) => where.push(`${fieldExpression(spec.fields[i] as IndexSpec['fields'][number])} = ${typed(param, value)}`));
    const ranged = spec.fields[checked.eq.length];
    if (ranged && checked.lower) where.push(`${fieldExpression(ranged)} ${checked.lower.inclusive ? '>=' : '>'} ${typed(param, checked.lower.value)}`);
    if (ranged && checked.upper) where.push(`${fieldExpression(ranged)} ${checked.upper.inclusive ? '<=' : '<'} ${typed(param, checked.upper.value)}`);
    if (checked.after) {
      const [values, key] = checked.after;
      const left = [...spec.fields.map(fieldExpression), 'r.key'].join(', ');
      const right = [...values.map((value) => typed(param, value)), param(key, 'text')].join(', ');
      where.push(`(${left}) > (${right})`);
    }
    const order = [...spec.fields.map(fieldExpression), 'r.key'].join(', ');
    const sql = `SELECT r.collection, r.key, r.revision, r.value, r.updated_at FROM ${this.quoted}.steward_records r WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${checked.limit}`;
    const { rows } = await this.pool.query<RecordRow>(sql, params);
    const records = rows.map(toRecord) as StoredRecord<T>[];
    const last = records[records.length - 1];
    const values = last && records.length === checked.limit ? entryValues(spec, last.value) : undefined;
    return values && last ? { records, next: encodeCursor(values, last.key) } : { records };
  }
}

/** The value of one indexed field, typed for ordering. Field names are checked (A-Z a-z 0-9 _ $ -), so they quote safely. */
function fieldExpression(field: IndexSpec['fields'][number]): string {
  return field.type === 'string' ? `((value ->> '${field.name}') COLLATE "C")` : `((value ->> '${field.name}')::float8)`;
}

/** Rows of `collection` (an SQL literal or parameter) whose every field has its declared JSON type. */
function sparse(spec: IndexSpec, collection: string): string {
  return [`collection = ${collection}`, ...spec.fields.map((field) => `json_typeof(value -> '${field.name}') = '${field.type}'`)].join(' AND ');
}

function typed(param: (value: unknown, type: string) => string, value: IndexValue): string {
  return typeof value === 'string' ? `(${param(value, 'text')} COLLATE "C")` : param(value, 'float8');
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
