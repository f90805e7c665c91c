/**
 * Go's text/tabwriter as kubectl configures it (minwidth 6, padding 3, pad with spaces,
 * RememberWidths): a cell ends at a tab; the last cell of a line is not padded; column widths
 * are the widest cell + 3 over the block and, once flushed, never shrink (watch output stays aligned).
 */

const MIN_WIDTH = 6;
const PADDING = 3;

const NON_ASCII = /[^\x00-\x7f]/;

/** Rune width of a cell (tabwriter counts UTF-8 runes). */
function runeLength(s: string): number {
  // Nearly every cell is ASCII: one native regex test instead of a string iterator per character.
  if (!NON_ASCII.test(s)) {
    return s.length;
  }
  let n = 0;
  for (const _ of s) {
    n++;
  }
  return n;
}

/** A tabwriter that lays out rows of cells; `flush()` returns the text written since the last flush. */
export class TabWriter {
  private rows: string[][] = [];
  private readonly widths: number[] = [];

  /** Adds one line of cells (the last cell is not padded). */
  row(cells: readonly string[]): void {
    this.rows.push([...cells]);
  }

  /** Lays out the buffered rows and returns them as text (each line ending in a newline). */
  flush(): string {
    for (const r of this.rows) {
      for (let c = 0; c < r.length - 1; c++) {
        const w = Math.max(MIN_WIDTH, runeLength(r[c]) + PADDING);
        if (w > (this.widths[c] ?? 0)) {
          this.widths[c] = w;
        }
      }
    }
    const out = this.rows
      .map((r) => {
        let line = '';
        for (let c = 0; c < r.length; c++) {
          line += c === r.length - 1 ? r[c] : r[c] + ' '.repeat(this.widths[c] - runeLength(r[c]));
        }
        return `${line}\n`;
      })
      .join('');
    this.rows = [];
    return out;
  }
}
