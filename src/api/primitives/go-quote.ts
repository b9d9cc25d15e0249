// Go's strconv.Quote (what fmt's %q does to a string): flag errors, URL errors, the fields printer and watch's
// exec environment quote this way; raw key/value bytes keep invalid UTF-8 as \xNN instead of decoding it away.

const RUNE_ERROR = 0xfffd;

/** Go's utf8.DecodeRune: [rune, width]; an invalid or truncated sequence is [RuneError, 1]. */
export function decodeRune(b: Uint8Array, i: number): [number, number] {
  const b0 = b[i]!;
  if (b0 < 0x80) return [b0, 1];
  const cont = (j: number, lo = 0x80, hi = 0xbf): number => {
    const c = b[i + j];
    return c !== undefined && c >= lo && c <= hi ? c & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [RUNE_ERROR, 1] : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    // E0 excludes overlongs, ED excludes UTF-16 surrogates.
    const c1 = cont(1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf);
    const c2 = c1 < 0 ? -1 : cont(2);
    return c2 < 0 ? [RUNE_ERROR, 1] : [((b0 & 0x0f) << 12) | (c1 << 6) | c2, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf);
    const c2 = c1 < 0 ? -1 : cont(2);
    const c3 = c2 < 0 ? -1 : cont(3);
    return c3 < 0 ? [RUNE_ERROR, 1] : [((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4];
  }
  return [RUNE_ERROR, 1];
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. Go 1.19 uses Unicode 13
// tables; Node's are newer, so runes assigned after 13.0 count as printable here (Go would escape them). Made on
// first use: V8 builds a Unicode-property class as it creates the RegExp, ~1 ms that most runs never need.
let graphic: RegExp | undefined;

function isGoPrint(r: number): boolean {
  if (r <= 0xff) {
    if (r >= 0x20 && r <= 0x7e) return true;
    if (r >= 0xa1 && r <= 0xff) return r !== 0xad;
    return false;
  }
  return (graphic ??= /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u).test(String.fromCodePoint(r));
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** strconv.Quote of a byte string (a JS string is taken as its UTF-8 bytes). */
export function goQuote(input: Uint8Array | string): string {
  const b = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let out = '"';
  for (let i = 0; i < b.length; ) {
    const [r, width] = decodeRune(b, i);
    if (width === 1 && r === RUNE_ERROR) {
      out += '\\x' + hex(b[i]!, 2);
      i++;
      continue;
    }
    i += width;
    out += escapeRune(r);
  }
  return out + '"';
}

function escapeRune(r: number): string {
  if (r === 0x22 || r === 0x5c) return '\\' + String.fromCharCode(r);
  if (isGoPrint(r)) return String.fromCodePoint(r);
  switch (r) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return '\\x' + hex(r, 2);
  if (r < 0x10000) return '\\u' + hex(r, 4);
  return '\\U' + hex(r, 8);
}
