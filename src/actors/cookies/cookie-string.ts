/**
 * Cookie strings as a `Cookie` header carries them (`a=1; b=2`), and
 * `Set-Cookie` lines applied to one. Values are opaque here: never logged,
 * never echoed in an error.
 */

/** The pairs of a `Cookie` header value, in order; later duplicates win. @internal */
export function parseCookie(cookie: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const part of cookie.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (name) pairs.set(name, part.slice(at + 1).trim());
  }
  return pairs;
}

/** A `Cookie` header value from pairs. @internal */
export function serializeCookie(pairs: ReadonlyMap<string, string>): string {
  return [...pairs].map(([name, value]) => `${name}=${value}`).join('; ');
}

/**
 * The cookie after the service's `Set-Cookie` lines: each line's first pair
 * replaces (or adds) that key; an expired or empty one removes it. Returns
 * the new cookie and the keys the service set.
 * @internal
 */
export function applySetCookie(cookie: string, lines: readonly string[]): { cookie: string; setKeys: string[] } {
  const pairs = parseCookie(cookie);
  const setKeys: string[] = [];
  for (const line of lines) {
    const [first = '', ...attributes] = line.split(';');
    const at = first.indexOf('=');
    if (at <= 0) continue;
    const name = first.slice(0, at).trim();
    const value = first.slice(at + 1).trim();
    const expired = attributes.some((attribute) => /^\s*max-age\s*=\s*(-\d+|0)\s*$/i.test(attribute));
    if (expired || value === '') pairs.delete(name);
    else pairs.set(name, value);
    setKeys.push(name);
  }
  return { cookie: serializeCookie(pairs), setKeys };
}

/** The keys of `required` that `cookie` lacks. @internal */
export function missingKeys(cookie: string, required: readonly string[]): string[] {
  const pairs = parseCookie(cookie);
  return required.filter((key) => !pairs.get(key));
}
