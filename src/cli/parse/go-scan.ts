// Just enough of Go's fmt scanning and strconv.Unquote to read etcdctl's txn lines exactly as etcdctl does:
// `fmt.Sscanf(s, "%q) %s %q", ...)`, `fmt.Sscanf(tok, "%q", ...)` and strings.TrimSpace. Input is bytes: keys
// may be any bytes (`"\xff"`), and Go reads invalid UTF-8 as U+FFFD, which we reproduce.
import { decodeRune } from '../../api/primitives/go-quote.js';

const RUNE_ERROR = 0xfffd;
const EOF = -1;

/** Go's fmt isSpace / unicode.IsSpace (the same set). */
function isGoSpace(r: number): boolean {
  return (
    (r >= 0x09 && r <= 0x0d) ||
    r === 0x20 ||
    r === 0x85 ||
    r === 0xa0 ||
    r === 0x1680 ||
    (r >= 0x2000 && r <= 0x200a) ||
    r === 0x2028 ||
    r === 0x2029 ||
    r === 0x202f ||
    r === 0x205f ||
    r === 0x3000
  );
}

/** strings.TrimSpace on bytes (invalid UTF-8 is never space). */
export function goTrimSpace(b: Buffer): Buffer {
  const runes: [start: number, end: number, space: boolean][] = [];
  for (let i = 0; i < b.length; ) {
    const [r, w] = decodeRune(b, i);
    runes.push([i, i + w, !(r === RUNE_ERROR && w === 1) && isGoSpace(r)]);
    i += w;
  }
  let first = 0;
  while (first < runes.length && runes[first]![2]) first++;
  let last = runes.length - 1;
  while (last >= first && runes[last]![2]) last--;
  return first > last ? b.subarray(0, 0) : b.subarray(runes[first]![0], runes[last]![1]);
}

function utf8(r: number): Buffer {
  return Buffer.from(String.fromCodePoint(r), 'utf8');
}

/** A fmt scan failure: Go's error text, e.g. `unexpected EOF`, `input does not match format`. */
export class GoScanError extends Error {}

class RuneScanner {
  private pos = 0;
  private lastWidth = 0;
  constructor(private readonly input: Buffer) {}

  getRune(): number {
    if (this.pos >= this.input.length) {
      this.lastWidth = 0;
      return EOF;
    }
    const [r, w] = decodeRune(this.input, this.pos);
    this.pos += w;
    this.lastWidth = w;
    return r;
  }
  unreadRune(): void {
    this.pos -= this.lastWidth;
    this.lastWidth = 0;
  }
  mustReadRune(): number {
    const r = this.getRune();
    if (r === EOF) throw new GoScanError('unexpected EOF');
    return r;
  }
  notEOF(): void {
    if (this.getRune() === EOF) throw new GoScanError('unexpected EOF');
    this.unreadRune();
  }
  skipSpace(): void {
    for (;;) {
      const r = this.getRune();
      if (r === EOF) return;
      if (r === 0x0d && this.input[this.pos] === 0x0a) continue;
      if (r === 0x0a) throw new GoScanError('unexpected newline');
      if (!isGoSpace(r)) {
        this.unreadRune();
        return;
      }
    }
  }

  /** A literal space in the format: at least one input space (or EOF), then any more. */
  formatSpace(): void {
    let r = this.getRune();
    if (!isGoSpace(r) && r !== EOF) throw new GoScanError('expected space in input to match format');
    if (r === 0x0a) throw new GoScanError('newline in input does not match format');
    while (isGoSpace(r) && r !== 0x0a) r = this.getRune();
    if (r !== EOF) this.unreadRune();
  }

  /** A literal rune in the format; false when the input has another rune there. */
  formatLiteral(c: number): boolean {
    const r = this.mustReadRune();
    if (r !== c) {
      this.unreadRune();
      return false;
    }
    return true;
  }

  /** `%q` into a string. */
  quoted(): Buffer {
    this.skipSpace(); // doScanf's, before the verb
    this.skipSpace(); // convertString's
    this.notEOF();
    this.notEOF();
    const quote = this.getRune();
    const parts: Buffer[] = [];
    if (quote === 0x60) {
      for (;;) {
        const r = this.mustReadRune();
        if (r === quote) break;
        parts.push(utf8(r));
      }
      return Buffer.concat(parts);
    }
    if (quote === 0x22) {
      parts.push(Buffer.from('"'));
      for (;;) {
        const r = this.mustReadRune();
        parts.push(utf8(r));
        if (r === 0x5c) parts.push(utf8(this.mustReadRune()));
        else if (r === quote) break;
      }
      return goUnquote(Buffer.concat(parts));
    }
    throw new GoScanError('expected quoted string');
  }

  /** `%s`: the next space-delimited word. */
  word(): Buffer {
    this.skipSpace();
    this.skipSpace();
    this.notEOF();
    const start = this.pos;
    let end = start;
    for (;;) {
      const r = this.getRune();
      if (r === EOF) break;
      if (isGoSpace(r)) {
        this.unreadRune();
        break;
      }
      end = this.pos;
    }
    // Go rebuilds the word rune by rune, so invalid bytes become U+FFFD.
    return reencode(this.input.subarray(start, end));
  }
}

function reencode(b: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; ) {
    const [r, w] = decodeRune(b, i);
    parts.push(utf8(r));
    i += w;
  }
  return Buffer.concat(parts);
}

const SYNTAX = 'invalid syntax';

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** strconv.Unquote for a double-quoted Go string (bytes in, bytes out); throws GoScanError(`invalid syntax`). */
export function goUnquote(s: Buffer): Buffer {
  if (s.length < 2 || s[0] !== 0x22 || s[s.length - 1] !== 0x22) throw new GoScanError(SYNTAX);
  const out: number[] = [];
  let i = 1;
  const end = s.length - 1;
  while (i < end) {
    const c = s[i]!;
    if (c === 0x0a || c === 0x22) throw new GoScanError(SYNTAX);
    if (c >= 0x80) {
      const [r, w] = decodeRune(s, i);
      out.push(...utf8(r));
      i += w;
      continue;
    }
    if (c !== 0x5c) {
      out.push(c);
      i++;
      continue;
    }
    if (i + 1 >= end) throw new GoScanError(SYNTAX);
    const e = s[i + 1]!;
    i += 2;
    const simple: Record<number, number> = { 0x61: 7, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9, 0x76: 11, 0x5c: 0x5c, 0x22: 0x22 };
    if (e in simple) {
      out.push(simple[e]!);
    } else if (e === 0x78 || e === 0x75 || e === 0x55) {
      const n = e === 0x78 ? 2 : e === 0x75 ? 4 : 8;
      if (end - i < n) throw new GoScanError(SYNTAX);
      let v = 0;
      for (let j = 0; j < n; j++) {
        const x = unhex(s[i + j]!);
        if (x < 0) throw new GoScanError(SYNTAX);
        v = v * 16 + x;
      }
      i += n;
      if (e === 0x78) out.push(v);
      else {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new GoScanError(SYNTAX);
        out.push(...utf8(v));
      }
    } else if (e >= 0x30 && e <= 0x37) {
      if (end - i < 2) throw new GoScanError(SYNTAX);
      let v = e - 0x30;
      for (let j = 0; j < 2; j++) {
        const x = s[i + j]! - 0x30;
        if (x < 0 || x > 7) throw new GoScanError(SYNTAX);
        v = v * 8 + x;
      }
      i += 2;
      if (v > 255) throw new GoScanError(SYNTAX);
      out.push(v);
    } else {
      throw new GoScanError(SYNTAX);
    }
  }
  return Buffer.from(out);
}

/** `fmt.Sscanf(tok, "%q", &s)`: the first quoted string in tok. */
export function scanQuoted(token: Buffer): Buffer {
  return new RuneScanner(token).quoted();
}

export interface CompareScan {
  /** How many of key, op, value were stored (Sscanf's n). */
  n: number;
  key: Buffer;
  op: Buffer;
  value: Buffer;
  /** The scan error, when n < 3. */
  error?: string;
}

/** `fmt.Sscanf(rest, "%q) %s %q", &key, &op, &val)`. Trailing input after the value is ignored, as in Go. */
export function scanCompare(rest: Buffer): CompareScan {
  const scan = new RuneScanner(rest);
  const result: CompareScan = { n: 0, key: Buffer.alloc(0), op: Buffer.alloc(0), value: Buffer.alloc(0) };
  try {
    result.key = scan.quoted();
    result.n = 1;
    if (!scan.formatLiteral(0x29)) throw new GoScanError('input does not match format');
    scan.formatSpace();
    result.op = scan.word();
    result.n = 2;
    scan.formatSpace();
    result.value = scan.quoted();
    result.n = 3;
  } catch (error) {
    if (!(error instanceof GoScanError)) throw error;
    result.error = error.message;
  }
  return result;
}
