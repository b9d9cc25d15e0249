// The short diff the history command shows between two values of a key: only the lines that changed, `-` for
// removed and `+` for added, from a longest common subsequence of lines. Values that are not text, or too
// big to compare line by line cheaply, get a one-line summary instead.
import { isUtf8 } from 'node:buffer';

export type DiffLine = { op: '-' | '+'; line: string };

export type ValueDiff =
  | { kind: 'same' }
  | { kind: 'lines'; lines: DiffLine[] }
  /** Binary values, or text with too many lines to compare: sizes only. */
  | { kind: 'summary'; text: string };

/** Above this many cells the LCS table would cost real memory: summarise. */
const MAX_CELLS = 1_000_000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function diffValues(before: Buffer, after: Buffer): ValueDiff {
  if (before.equals(after)) return { kind: 'same' };
  const binary = !isUtf8(before) || !isUtf8(after) || before.includes(0) || after.includes(0);
  if (binary) return { kind: 'summary', text: `binary value changed: ${before.length} bytes -> ${after.length} bytes` };
  const a = splitLines(before.toString('utf8'));
  const b = splitLines(after.toString('utf8'));
  // The common head and tail need no table.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  if ((x.length + 1) * (y.length + 1) > MAX_CELLS) {
    return { kind: 'summary', text: `${x.length} lines replaced by ${y.length} lines` };
  }
  // lcs[i][j]: the longest common subsequence of x[i..] and y[j..].
  const width = y.length + 1;
  const lcs = new Uint32Array((x.length + 1) * width);
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i * width + j] = x[i] === y[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++;
      j++;
    } else if (i < x.length && (j === y.length || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      lines.push({ op: '-', line: x[i++]! });
    } else {
      lines.push({ op: '+', line: y[j++]! });
    }
  }
  // A change in the final newline alone leaves no changed line.
  if (lines.length === 0) return { kind: 'summary', text: 'only the final newline changed' };
  return { kind: 'lines', lines };
}
