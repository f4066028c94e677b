/**
 * Progress of several cooks: one live bar per cook on a TTY (redrawn in
 * place), plain periodic lines otherwise (logs, CI, pipes). Rows carry ids
 * and counts only.
 */

/** One cook's line. */
export interface ProgressRow {
  readonly label: string;
  readonly done: number;
  readonly total: number;
  readonly status: string;
  /** Short counters, e.g. `dup 3 retry 1`. */
  readonly detail: string;
}

/** Where progress goes. */
export interface ProgressView {
  /** Draws the rows (TTY: in place; otherwise one line per row). */
  update(rows: readonly ProgressRow[]): void;
  /** A line printed above the bars. */
  note(line: string): void;
}

const BAR_WIDTH = 28;

/** A view for `stream`: live bars if it is a TTY, plain lines prefixed with elapsed seconds if not. */
export function createProgressView(stream: NodeJS.WriteStream, startedAt = performance.now()): ProgressView {
  return stream.isTTY ? new TtyBars(stream) : new PlainLines(stream, startedAt);
}

function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * BAR_WIDTH) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
}

/** `done/total`, padded to the widest total so columns line up. */
function counts(row: ProgressRow, width: number): string {
  return `${String(row.done).padStart(width)}/${String(row.total).padEnd(width)}`;
}

const totalWidth = (rows: readonly ProgressRow[]) => Math.max(...rows.map((row) => String(row.total).length), 1);

class TtyBars implements ProgressView {
  #drawn = 0;
  #last: readonly ProgressRow[] = [];
  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(rows: readonly ProgressRow[]): void {
    this.#last = rows;
    const labelWidth = Math.max(...rows.map((row) => row.label.length), 0);
    const width = totalWidth(rows);
    let out = this.#drawn > 0 ? `\x1b[${this.#drawn}A` : '';
    for (const row of rows) {
      const pct = row.total > 0 ? Math.floor((row.done / row.total) * 100) : 0;
      out += `\x1b[2K  ${row.label.padEnd(labelWidth)}  ${bar(row.done, row.total)} ${String(pct).padStart(3)}%  ${counts(row, width)}  ${row.status.padEnd(9)} ${row.detail}\n`;
    }
    this.stream.write(out);
    this.#drawn = rows.length;
  }

  note(line: string): void {
    const up = this.#drawn > 0 ? `\x1b[${this.#drawn}A\x1b[0J` : '';
    this.stream.write(`${up}${line}\n`);
    this.#drawn = 0;
    if (this.#last.length > 0) this.update(this.#last);
  }
}

class PlainLines implements ProgressView {
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly startedAt: number,
  ) {}

  update(rows: readonly ProgressRow[]): void {
    const at = ((performance.now() - this.startedAt) / 1000).toFixed(1);
    const labelWidth = Math.max(...rows.map((row) => row.label.length), 0);
    const width = totalWidth(rows);
    const lines = rows.map((row) => `[${at.padStart(5)}s] ${row.label.padEnd(labelWidth)}  ${counts(row, width)}  ${row.status.padEnd(9)} ${row.detail}`);
    this.stream.write(`${lines.join('\n')}\n`);
  }

  note(line: string): void {
    this.stream.write(`${line}\n`);
  }
}
