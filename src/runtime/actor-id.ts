/**
 * The registry key of `(type, key)`. The type's length comes first, so no
 * choice of characters in either part can make two actors one: type
 * `billing` with key `invoice/42` and type `billing/invoice` with key `42`
 * get different keys. Messages and events show `type/key`, and carry both.
 * @internal
 */
export function registryKey(type: string, key: string): string {
  return `${type.length}:${type}/${key}`;
}

/** The registry key of the actor a ref names. @internal */
export function keyOf(ref: { readonly type: string; readonly key: string }): string {
  return registryKey(ref.type, ref.key);
}
