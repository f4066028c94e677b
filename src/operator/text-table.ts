/** Fixed-width text tables, for `inspect` and the demo's summary. */
import type { Cell } from './domain.js';

/**
 * Renders `rows` under `columns`, numbers right-aligned, each line indented by two spaces.
 *
 * @example
 * ```ts
 * console.log(renderTable(['cook', 'status'], [['autumn~ann', 'running']]));
 * ```
 */
export function renderTable(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = (cell: Cell | undefined) => (cell === null || cell === undefined ? '' : String(cell));
  const all = [columns, ...rows];
  const widths = columns.map((_, column) => Math.max(...all.map((row) => text(row[column]).length)));
  const numeric = columns.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const line = (row: readonly Cell[]) =>
    `  ${columns.map((_, column) => (numeric[column] ? text(row[column]).padStart(widths[column] ?? 0) : text(row[column]).padEnd(widths[column] ?? 0))).join('  ')}`.trimEnd();
  return [line(columns), `  ${widths.map((width) => '-'.repeat(width)).join('  ')}`, ...rows.map(line)].join('\n');
}
