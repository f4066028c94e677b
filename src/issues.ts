import type { MessageIssue } from './errors.js';

/**
 * Zod issues as plain data (no class instances, symbols made strings), so
 * they survive JSON, structured clone and thread boundaries.
 * @internal
 */
export function toIssues(issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string; readonly code: string }[]): MessageIssue[] {
  return issues.map(({ path, message, code }) => ({ path: path.map((part) => (typeof part === 'symbol' ? String(part) : part)), message, code }));
}

/** One line for an error message: `path: message; …`. @internal */
export function summarizeIssues(issues: readonly MessageIssue[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}
