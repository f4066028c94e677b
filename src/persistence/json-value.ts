/**
 * Values enter a store only as deep-frozen JSON: stores share one immutable
 * value between the index, readers and the snapshot writer, so a caller that
 * mutates what it got back can never change stored state behind the journal.
 * @internal
 */
import { InvalidWriteError } from './errors.js';

/** Values this module produced: already checked, cloned and frozen. */
const checked = new WeakSet<object>();
const MAX_DEPTH = 100;

/**
 * Returns a deep-frozen copy of `value`, or throws {@link InvalidWriteError}
 * naming `where` if it is not plain JSON (undefined, functions, symbols,
 * bigint, non-finite numbers, class instances, cycles).
 * @internal
 */
export function freezeJson(value: unknown, where: string): unknown {
  return copy(value, where, 0, new Set());
}

function copy(value: unknown, path: string, depth: number, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(path, `${String(value)} is not a JSON number`);
      return value;
    case 'object':
      break;
    default:
      throw invalid(path, `a ${typeof value} is not a JSON value`);
  }
  if (value === null) return null;
  if (checked.has(value)) return value;
  if (depth >= MAX_DEPTH) throw invalid(path, `nested deeper than ${MAX_DEPTH} levels`);
  if (ancestors.has(value)) throw invalid(path, 'circular reference');
  ancestors.add(value);
  let result: unknown[] | Record<string, unknown>;
  if (Array.isArray(value)) {
    result = value.map((item, index) => copy(item, `${path}[${index}]`, depth + 1, ancestors));
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
      throw invalid(path, `a ${name} instance is not a plain JSON object`);
    }
    const record: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) {
      if (item === undefined) throw invalid(`${path}.${name}`, 'undefined is not a JSON value (omit the property or use null)');
      const frozen = copy(item, `${path}.${name}`, depth + 1, ancestors);
      // Assigning "__proto__" would set the prototype; define it as the own data property JSON means.
      if (name === '__proto__') Object.defineProperty(record, name, { value: frozen, enumerable: true, writable: true, configurable: true });
      else record[name] = frozen;
    }
    result = record;
  }
  ancestors.delete(value);
  Object.freeze(result);
  checked.add(result);
  return result;
}

function invalid(path: string, reason: string): InvalidWriteError {
  return new InvalidWriteError(`Invalid write: ${path} is not storable: ${reason}.`);
}

/**
 * Freezes a value that came out of `JSON.parse` in place (it is JSON by
 * construction, so no copy is needed) and marks it checked.
 * @internal
 */
export function adoptJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || checked.has(value)) return value;
  for (const item of Object.values(value)) adoptJson(item);
  Object.freeze(value);
  checked.add(value);
  return value;
}
