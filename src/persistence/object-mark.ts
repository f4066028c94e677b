/**
 * A mark that one module sets on objects it made and later recognizes them
 * by ("checked already", "validated already"), carried by the object itself.
 * @internal
 */

/** Its constructor returns the object it is given, so a subclass's private field lands on that object. */
class Stamp {
  constructor(target: object) {
    return target as Stamp;
  }
}

/** What {@link objectMark} returns. @internal */
export interface ObjectMark {
  /** Marks `target`. Call it before freezing `target`. */
  add(target: object): void;
  /** Whether `value` is an object this mark was set on. */
  has(value: unknown): boolean;
}

/**
 * A new mark, distinct from every other: a private field stamped on each
 * marked object. Like a WeakSet entry it is invisible to `Object.keys`,
 * `Reflect.ownKeys`, JSON, `structuredClone`, equality in tests and every
 * other reflection API, and dies with its object; unlike one it costs no
 * weak hash-table insert: stores add one per value and per write they take
 * in, and the insert was most of what copying a small value cost.
 * @internal
 */
export function objectMark(): ObjectMark {
  class Marked extends Stamp {
    readonly #marked = true;

    static has(value: object): boolean {
      return #marked in value;
    }
  }
  return {
    add: (target) => void new Marked(target),
    has: (value) => typeof value === 'object' && value !== null && Marked.has(value),
  };
}
