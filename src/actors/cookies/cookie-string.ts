/** Cookie strings (`a=1; b=2`) and `Set-Cookie` headers, as far as rotation needs them. */

/**
 * The pairs of a `Cookie` header value, in order.
 *
 * @example
 * ```ts
 * parseCookie('sid=abc; csrf=def').get('sid'); // 'abc'
 * ```
 */
export function parseCookie(cookie: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    pairs.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return pairs;
}

/**
 * A `Cookie` header value from pairs.
 *
 * @example
 * ```ts
 * formatCookie(new Map([['sid', 'abc']])); // 'sid=abc'
 * ```
 */
export function formatCookie(pairs: ReadonlyMap<string, string>): string {
  return [...pairs].map(([name, value]) => `${name}=${value}`).join('; ');
}

/**
 * `cookie` with the values `Set-Cookie` headers gave (attributes after the first `;` ignored).
 *
 * @example
 * ```ts
 * applySetCookie('sid=old; theme=dark', ['sid=new; Path=/; HttpOnly']); // 'sid=new; theme=dark'
 * ```
 */
export function applySetCookie(cookie: string, setCookies: readonly string[]): { cookie: string; changed: string[] } {
  const pairs = parseCookie(cookie);
  const changed: string[] = [];
  for (const header of setCookies) {
    const first = header.split(';', 1)[0] ?? '';
    const eq = first.indexOf('=');
    if (eq <= 0) continue;
    const name = first.slice(0, eq).trim();
    const value = first.slice(eq + 1).trim();
    if (pairs.get(name) !== value) changed.push(name);
    pairs.set(name, value);
  }
  return { cookie: formatCookie(pairs), changed };
}
