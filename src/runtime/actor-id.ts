/** The start of one actor type's registry keys and ids, made once per type rather than once per actor. */
interface TypePrefixes {
  readonly registry: string;
  readonly id: string;
}

const prefixes = new Map<string, TypePrefixes>();

function prefixesOf(type: string): TypePrefixes {
  let known = prefixes.get(type);
  if (!known) {
    known = { registry: `${type.length}:${type}/`, id: `${type}/` };
    prefixes.set(type, known);
  }
  return known;
}

/**
 * The registry key of `(type, key)`. The type's length comes first, so no
 * choice of characters in either part can make two actors one: type
 * `billing` with key `invoice/42` and type `billing/invoice` with key `42`
 * get different keys. Messages and events show `type/key`, and carry both.
 * @internal
 */
export function registryKey(type: string, key: string): string {
  return prefixesOf(type).registry + key;
}

/** The registry key of the actor a ref names. @internal */
export function keyOf(ref: { readonly type: string; readonly key: string }): string {
  return registryKey(ref.type, ref.key);
}

/** `type/key`: how messages, events and the scheduler name an actor. @internal */
export function actorId(type: string, key: string): string {
  return prefixesOf(type).id + key;
}
