/**
 * Go's text/tabwriter algorithm as kubectl describe configures it (minwidth 0, padding 2, pad
 * with spaces, no flags): tab-terminated cells form columns; a column's width is fixed per
 * *block* of consecutive lines that have a cell in that column, so sections separated by a
 * line without tabs align independently. The last cell of a line is never padded.
 */

interface Cell {
  readonly text: string;
  readonly width: number;
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) {
    n++;
  }
  return n;
}

/** Lays out text exactly as Go's tabwriter.Writer{minwidth:0, tabwidth:8, padding:2, padchar:' '} would on Flush. */
export function tabwriterFormat(text: string, padding = 2, minWidth = 0): string {
  const rawLines = text.split('\n');
  const trailingNewline = rawLines[rawLines.length - 1] === '';
  if (trailingNewline) {
    rawLines.pop();
  }
  const lines: Cell[][] = rawLines.map((l) => l.split('\t').map((t) => ({ text: t, width: runeCount(t) })));
  const widths: number[] = [];
  const out: string[] = [];

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i] ?? [];
      let s = '';
      line.forEach((c, j) => {
        s += c.text;
        const w = widths[j];
        if (j < line.length - 1 && w !== undefined) {
          s += ' '.repeat(Math.max(0, w - c.width));
        } else if (j < line.length - 1) {
          // A terminated cell outside any block cannot happen; keep the text as Go would.
        }
      });
      out.push(s);
    }
  };

  const format = (line0In: number, line1: number): void => {
    let line0 = line0In;
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= (lines[current]?.length ?? 0) - 1) {
        continue;
      }
      writeLines(line0, current);
      line0 = current;
      let width = minWidth;
      for (; current < line1; current++) {
        const line = lines[current] ?? [];
        if (column >= line.length - 1) {
          break;
        }
        width = Math.max(width, (line[column]?.width ?? 0) + padding);
      }
      widths.push(width);
      format(line0, current);
      widths.pop();
      line0 = current;
      current--;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n') + (trailingNewline ? '\n' : '');
}
