// The subset of olekukonko/tablewriter (v0.0.5, as linked into etcdctl 3.4.23) that etcdctl uses: borders,
// upper-cased centred headers, right-aligned cells, auto-wrap at 30 columns with tablewriter's minimal-raggedness
// line breaking. Plain code rather than cli-table3: cli-table3 cannot reproduce the wrapping and padding rules
// byte for byte.

const MAX_CELL_WIDTH = 30;
const ANSI = /\x1b\[(?:[0-9]{1,3}(?:;[0-9]{1,3})*)?[m|K]/g;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]$/u;
const EMOJI = /^\p{Extended_Pictographic}$/u;

/** East Asian Wide/Fullwidth ranges (go-runewidth counts these as 2 columns). */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** go-runewidth StringWidth (approximation: no ambiguous-width handling, which is off by default). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s.replace(ANSI, '')) {
    const cp = ch.codePointAt(0)!;
    if (ZERO_WIDTH.test(ch)) continue;
    w += isWide(cp) || (cp > 0xff && EMOJI.test(ch)) ? 2 : 1;
  }
  return w;
}

/** tablewriter WrapWords: splits words into lines minimising the squared slack (raggedness). */
function wrapWords(words: string[], spc: number, lim: number, pen: number): string[][] {
  const n = words.length;
  const length: number[][] = [];
  for (let i = 0; i < n; i++) {
    length[i] = [];
    length[i]![i] = displayWidth(words[i]!);
    for (let j = i + 1; j < n; j++) length[i]![j] = length[i]![j - 1]! + spc + displayWidth(words[j]!);
  }
  const nbrk = new Array<number>(n).fill(0);
  const cost = new Array<number>(n).fill(2 ** 31 - 1);
  for (let i = n - 1; i >= 0; i--) {
    if (length[i]![n - 1]! <= lim) {
      cost[i] = 0;
      nbrk[i] = n;
    } else {
      for (let j = i + 1; j < n; j++) {
        const d = lim - length[i]![j - 1]!;
        let c = d * d + cost[j]!;
        if (length[i]![j - 1]! > lim) c += pen;
        if (c < cost[i]!) {
          cost[i] = c;
          nbrk[i] = j;
        }
      }
    }
  }
  const lines: string[][] = [];
  for (let i = 0; i < n; i = nbrk[i]!) lines.push(words.slice(i, nbrk[i]));
  return lines;
}

function wrapString(s: string, lim: number): string[] {
  const words = s.replaceAll('\n', ' ').split(' ');
  for (const w of words) lim = Math.max(lim, displayWidth(w));
  return wrapWords(words, 1, lim, 1e5).map((line) => line.join(' '));
}

/** tablewriter parseDimension with autoWrap and reflowText on: the cell's lines and its width. */
function cellLines(text: string): { lines: string[]; width: number } {
  const raw = text.split('\n');
  let maxWidth = Math.min(MAX_CELL_WIDTH, Math.max(0, ...raw.map(displayWidth)));
  const lines = wrapString(raw.join(' '), maxWidth);
  for (const line of lines) maxWidth = Math.max(maxWidth, displayWidth(line));
  return { lines, width: maxWidth };
}

/** tablewriter Title: `_` and word-separating `.` become spaces, trimmed, upper-cased. */
function title(name: string): string {
  const rs = Array.from(name);
  const numOrSpace = (c: string | undefined) => c !== undefined && /[0-9 ]/.test(c);
  rs.forEach((r, i) => {
    if (r === '_') rs[i] = ' ';
    else if (r === '.' && ((i !== 0 && !numOrSpace(rs[i - 1])) || (i !== rs.length - 1 && !numOrSpace(rs[i + 1])))) rs[i] = ' ';
  });
  let t = rs.join('').trim();
  if (t.length === 0 && name.length > 0) t = ' ';
  return t.toUpperCase();
}

const padCenter = (s: string, width: number) => {
  const gap = width - displayWidth(s);
  if (gap <= 0) return s;
  const left = Math.floor(gap / 2);
  return ' '.repeat(left) + s + ' '.repeat(gap - left);
};
const padLeft = (s: string, width: number) => {
  const gap = width - displayWidth(s);
  return gap > 0 ? ' '.repeat(gap) + s : s;
};

/** Renders a table the way etcdctl's table printer does (header centred, cells right-aligned). */
export function renderTable(header: string[], rows: string[][], styleHeader: (text: string) => string = (text) => text): string {
  const widths: number[] = [];
  const fit = (col: number, width: number) => {
    if (widths[col] === undefined || widths[col]! < width || widths[col] === 0) widths[col] = width;
  };
  const headerCells = header.map((h, i) => {
    const c = cellLines(h);
    fit(i, c.width);
    return c.lines;
  });
  const bodyCells = rows.map((row) =>
    row.map((v, i) => {
      const c = cellLines(v);
      fit(i, c.width);
      return c.lines;
    }),
  );

  const rule = '+' + widths.map((w) => '-'.repeat(w + 2) + '+').join('') + '\n';
  let out = rule;
  const headerHeight = Math.max(0, ...headerCells.map((l) => l.length));
  for (let x = 0; x < headerHeight; x++) {
    out += '|';
    widths.forEach((w, y) => {
      out += ' ' + padCenter(styleHeader(title(headerCells[y]?.[x] ?? '')), w) + ' |';
    });
    out += '\n';
  }
  out += rule;
  for (const row of bodyCells) {
    const height = Math.max(0, ...row.map((l) => l.length));
    // tablewriter fills short cells with two spaces per missing line before padding.
    const cols = row.map((lines) => [...lines, ...new Array<string>(height - lines.length).fill('  ')]);
    for (let x = 0; x < height; x++) {
      for (let y = 0; y < cols.length; y++) out += '| ' + padLeft(cols[y]![x]!, widths[y]!) + ' ';
      out += '|\n';
    }
  }
  return out + rule;
}
