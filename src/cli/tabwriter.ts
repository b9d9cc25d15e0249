// Go's text/tabwriter as etcdctl configures it for help text (minwidth 0, tabwidth 8, padding 1, padchar '\t'):
// help output must match etcdctl byte for byte, tabs included.
const TAB_WIDTH = 8;
const PADDING = 1;

interface Cell {
  text: string;
  width: number;
}

function runeCount(text: string): number {
  return [...text].length;
}

export function tabwrite(text: string): string {
  let out = '';
  let lines: Cell[][] = [];
  const flush = () => {
    out += formatBlock(lines);
    lines = [];
  };
  const rawLines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) rawLines.pop();
  rawLines.forEach((raw, index) => {
    const cells = raw.split('\t').map((t) => ({ text: t, width: runeCount(t) }));
    lines.push(cells);
    const last = index === rawLines.length - 1 && !endsWithNewline;
    // A line without tabs ends every column block, as in Go's Writer.Write.
    if (cells.length === 1 && !last) flush();
  });
  flush();
  // formatBlock emits a newline after every line; the input's final line may have had none.
  return endsWithNewline || text === '' ? out : out.slice(0, -1);
}

function formatBlock(lines: Cell[][]): string {
  let out = '';
  const widths: number[] = [];
  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const line = lines[i];
      line.forEach((cell, j) => {
        if (j < widths.length) {
          out += cell.text;
          const cellWidth = Math.ceil(widths[j] / TAB_WIDTH) * TAB_WIDTH;
          out += '\t'.repeat(Math.ceil((cellWidth - cell.width) / TAB_WIDTH));
        } else out += cell.text;
      });
      out += '\n';
    }
  };
  const format = (line0: number, line1: number) => {
    const column = widths.length;
    let pending = line0;
    for (let current = line0; current < line1; current++) {
      if (column >= lines[current].length - 1) continue;
      writeLines(pending, current);
      pending = current;
      let width = 0;
      for (; current < line1; current++) {
        const line = lines[current];
        if (column >= line.length - 1) break;
        width = Math.max(width, line[column].width + PADDING);
      }
      widths.push(width);
      format(pending, current);
      widths.pop();
      pending = current;
      current--; // the for-loop's increment must not skip the line that ended the block
    }
    writeLines(pending, line1);
    return line1;
  };
  format(0, lines.length);
  return out;
}
