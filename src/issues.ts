import type { MessageIssue } from './errors.js';

/**
 * Zod issues as plain data (no class instances, symbols made strings), so
 * they survive JSON, structured clone and thread boundaries: the `issues` an
 * {@link InvalidMessageError} (and every other issues-carrying error) holds.
 *
 * @example
 * ```ts
 * const parsed = z.object({ name: z.string() }).safeParse({ name: 1 });
 * if (!parsed.success) {
 *   const issues = toIssues(parsed.error.issues);
 *   throw new InvalidMessageError(`invalid greeting: ${summarizeIssues(issues)}`, issues, { cause: parsed.error });
 * }
 * ```
 */
export function toIssues(issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string; readonly code: string }[]): MessageIssue[] {
  return issues.map(({ path, message, code }) => ({ path: path.map((part) => (typeof part === 'symbol' ? String(part) : part)), message, code }));
}

/**
 * One line for an error message: `path: message; …` (`(root)` for an issue
 * about the whole value).
 *
 * @example
 * ```ts
 * summarizeIssues([{ path: ['order', 0, 'qty'], code: 'too_small', message: 'must be positive' }]);
 * // 'order.0.qty: must be positive'
 * ```
 */
export function summarizeIssues(issues: readonly MessageIssue[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}
