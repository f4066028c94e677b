/**
 * Values enter a store only as deep-frozen JSON: stores share one immutable
 * value between the index, readers and the snapshot writer, so a caller that
 * mutates what it got back can never change stored state behind the journal.
 * @internal
 */
import { InvalidWriteError } from './errors.js';
import { objectMark } from './object-mark.js';

/** Values this module produced: already checked, cloned and frozen. */
const checked = objectMark();
const MAX_DEPTH = 100;

/**
 * Returns a deep-frozen copy of `value`, or throws {@link InvalidWriteError}
 * naming `where` if it is not plain JSON (undefined, functions, symbols,
 * bigint, non-finite numbers, class instances, cycles). `where` may be a
 * function, called only to word the error: every write copies its value,
 * and almost none fails.
 * @internal
 */
export function freezeJson(value: unknown, where: string | (() => string)): unknown {
  return copy(value, { where, segments: [], ancestors: [] });
}

/**
 * Where the copy is: the path as segments (joined only for an error) and the
 * objects on it. A cycle shows as nesting past {@link MAX_DEPTH}; only then
 * is the path searched for the repeat, so plain values pay nothing for it.
 */
interface Trail {
  readonly where: string | (() => string);
  readonly segments: (string | number)[];
  readonly ancestors: object[];
}

function copy(value: unknown, trail: Trail): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(trail, `${String(value)} is not a JSON number`);
      return value;
    case 'object':
      break;
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw invalid(trail, `a ${typeof value} is not a JSON value`);
  }
  if (value === null) return null;
  if (checked.has(value)) return value;
  if (trail.ancestors.length >= MAX_DEPTH) throw tooDeep(trail, value);
  trail.ancestors.push(value);
  let result: unknown[] | Record<string, unknown>;
  if (Array.isArray(value)) {
    result = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) {
      trail.segments.push(index);
      result[index] = copy(value[index], trail);
      trail.segments.pop();
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
      throw invalid(trail, `a ${name} instance is not a plain JSON object`);
    }
    const record: Record<string, unknown> = {};
    for (const name of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[name];
      trail.segments.push(name);
      if (item === undefined) throw invalid(trail, 'undefined is not a JSON value (omit the property or use null)');
      const frozen = copy(item, trail);
      trail.segments.pop();
      // Assigning "__proto__" would set the prototype; define it as the own data property JSON means.
      if (name === '__proto__') Object.defineProperty(record, name, { value: frozen, enumerable: true, writable: true, configurable: true });
      else record[name] = frozen;
    }
    result = record;
  }
  trail.ancestors.pop();
  checked.add(result);
  Object.freeze(result);
  return result;
}

/** Nesting past the limit: a cycle (reported where it first closes) or a value too deep to store. */
function tooDeep(trail: Trail, value: object): InvalidWriteError {
  const path = [...trail.ancestors, value];
  for (let depth = 1; depth < path.length; depth++) {
    if (path.indexOf(path[depth] as object) < depth) {
      trail.segments.length = depth;
      return invalid(trail, 'circular reference');
    }
  }
  return invalid(trail, `nested deeper than ${MAX_DEPTH} levels`);
}

function invalid(trail: Trail, reason: string): InvalidWriteError {
  const path = (typeof trail.where === 'string' ? trail.where : trail.where()) + trail.segments.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('');
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
  checked.add(value);
  Object.freeze(value);
  return value;
}
