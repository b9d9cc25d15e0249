// HPACK (RFC 7541) for our HTTP/2 transports (server and client): a decoder for the peer's headers and an
// encoder for our responses, each with its own dynamic table (one pair per connection).

/** What malformed header compression raises; the connection answers it with COMPRESSION_ERROR. */
export class HpackError extends Error {}

/** The table size HTTP/2 starts with, which we also advertise: both tables stay within it. */
export const DEFAULT_TABLE_SIZE = 4096;

/** An entry's cost in a dynamic table (RFC 7541 §4.1). */
const ENTRY_OVERHEAD = 32;

// Code lengths of the canonical HPACK Huffman code for bytes 0..255 (RFC 7541 appendix B); the
// codes themselves follow from the lengths (canonical assignment), EOS being the 30-bit all-ones.
const CODE_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
];
const EOS = 256;

// Canonical decoding, a bit at a time: codes of one length are consecutive numbers, so a code read so far is a
// symbol when it falls in its length's range. The tables are a few hundred entries made on first use (a table-driven
// decoder's 16K entries cost a short command more to load than they save: peers' header strings are few and short,
// and HPACK indexes the repeated ones).
interface CanonicalCode {
  /** The first code of each length (1..30). */
  firstCode: Int32Array;
  /** How many codes have each length. */
  count: Int32Array;
  /** Where each length's symbols start in `symbols`. */
  offset: Int32Array;
  /** The symbols, by code length then by value (the canonical order). */
  symbols: Uint16Array;
}

let canonicalCode: CanonicalCode | undefined;

function huffmanCode(): CanonicalCode {
  if (canonicalCode) return canonicalCode;
  const lengths = [...CODE_LENGTHS, 30];
  const count = new Int32Array(31);
  for (const len of lengths) count[len]++;
  const offset = new Int32Array(31);
  const firstCode = new Int32Array(31);
  for (let len = 1, at = 0, code = 0; len <= 30; len++) {
    offset[len] = at;
    at += count[len];
    code = (code + count[len - 1]) << 1;
    firstCode[len] = code;
  }
  const symbols = new Uint16Array(lengths.length);
  const next = offset.slice();
  for (let sym = 0; sym < lengths.length; sym++) symbols[next[lengths[sym]]++] = sym;
  return (canonicalCode = { firstCode, count, offset, symbols });
}

let huffmanScratch = Buffer.allocUnsafe(256);

export function huffmanDecode(data: Uint8Array): string {
  const { firstCode, count, offset, symbols } = huffmanCode();
  // every code is at least 5 bits
  const maxOut = Math.ceil((data.length * 8) / 5);
  if (huffmanScratch.length < maxOut) huffmanScratch = Buffer.allocUnsafe(Math.max(maxOut, huffmanScratch.length * 2));
  const out = huffmanScratch;
  let n = 0;
  let code = 0;
  let len = 0;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i];
    for (let bit = 7; bit >= 0; bit--) {
      code = (code << 1) | ((byte >> bit) & 1);
      len++;
      const index = code - firstCode[len];
      if (index >= 0 && index < count[len]) {
        const sym = symbols[offset[len] + index];
        if (sym === EOS) throw new HpackError('hpack: EOS in a huffman string');
        out[n++] = sym;
        code = 0;
        len = 0;
      }
    }
  }
  // a string may end mid-code only on a prefix of EOS (all ones) shorter than 8 bits
  if (len > 7 || code !== (1 << len) - 1) throw new HpackError('hpack: bad huffman padding');
  return out.toString('latin1', 0, n);
}

const STATIC_TABLE: Header[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

export type Header = [name: string, value: string];

const entrySize = (h: Header) => h[0].length + h[1].length + ENTRY_OVERHEAD;

/** A dynamic table: newest entry first, evicting the oldest beyond maxSize. */
class DynamicTable {
  entries: Header[] = [];
  size = 0;

  constructor(public maxSize: number) {}

  add(h: Header): void {
    this.entries.unshift(h);
    this.size += entrySize(h);
    this.evict();
  }

  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evict();
  }

  private evict(): void {
    while (this.size > this.maxSize) this.size -= entrySize(this.entries.pop()!);
  }
}

export class HpackDecoder {
  private readonly table = new DynamicTable(DEFAULT_TABLE_SIZE);
  private block: Buffer = Buffer.alloc(0);
  private pos = 0;

  /** @param maxTableSize our SETTINGS_HEADER_TABLE_SIZE: the most the peer's encoder may ask for */
  constructor(private readonly maxTableSize = DEFAULT_TABLE_SIZE) {}

  /** Decodes one complete header block (names and values as latin1 strings); throws HpackError. */
  decode(block: Buffer): Header[] {
    this.block = block;
    this.pos = 0;
    const headers: Header[] = [];
    while (this.pos < block.length) {
      const b = block[this.pos];
      if (b & 0x80) {
        headers.push(this.entry(this.int(7)));
      } else if (b & 0x40) {
        const index = this.int(6);
        const h: Header = [index ? this.entry(index)[0] : this.str(), this.str()];
        this.table.add(h);
        headers.push(h);
      } else if (b & 0x20) {
        // size updates belong at the start of a block (RFC 7541 §4.2)
        if (headers.length) throw new HpackError('hpack: table size update after a header field');
        const size = this.int(5);
        if (size > this.maxTableSize) throw new HpackError(`hpack: table size ${size} above ${this.maxTableSize}`);
        this.table.resize(size);
      } else {
        // literal without indexing (0000) or never indexed (0001)
        const index = this.int(4);
        headers.push([index ? this.entry(index)[0] : this.str(), this.str()]);
      }
    }
    return headers;
  }

  private entry(index: number): Header {
    if (index >= 1 && index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1];
    const h = this.table.entries[index - STATIC_TABLE.length - 1];
    if (!h) throw new HpackError(`hpack: bad index ${index}`);
    return h;
  }

  private int(prefixBits: number): number {
    const { block } = this;
    const max = (1 << prefixBits) - 1;
    let value = block[this.pos++] & max;
    if (value < max) return value;
    for (let shift = 0; shift <= 21; shift += 7) {
      if (this.pos >= block.length) throw new HpackError('hpack: truncated integer');
      const b = block[this.pos++];
      value += (b & 127) * 2 ** shift;
      if (b < 128) return value;
    }
    throw new HpackError('hpack: integer too large'); // beyond 2^28: no sane length or index
  }

  private str(): string {
    const { block } = this;
    if (this.pos >= block.length) throw new HpackError('hpack: truncated string');
    const huffman = (block[this.pos] & 0x80) !== 0;
    const len = this.int(7);
    const end = this.pos + len;
    if (end > block.length) throw new HpackError('hpack: truncated string');
    const start = this.pos;
    this.pos = end;
    return huffman ? huffmanDecode(block.subarray(start, end)) : block.toString('latin1', start, end);
  }
}

/** Static table indexes by name: the first entry's, and each value's. */
const STATIC_NAMES = new Map<string, { index: number; values: Map<string, number> }>();
STATIC_TABLE.forEach(([name, value], i) => {
  const entry = STATIC_NAMES.get(name) ?? { index: i + 1, values: new Map<string, number>() };
  entry.values.set(value, i + 1);
  STATIC_NAMES.set(name, entry);
});
/** How many recent header lists keep their encoding, reused while the dynamic table stays the same. */
const REUSED_BLOCKS = 4;

/**
 * Encodes our response headers. Fields repeat from call to call (content-type, grpc-status), so they
 * go into the dynamic table once and as one-byte indexes after that; names in `unindexed` (say
 * grpc-message, whose text varies) are sent as literals without indexing. Strings are never
 * Huffman-coded: ours are short, and the CPU is worth more than the bytes.
 */
export class HpackEncoder {
  private readonly table = new DynamicTable(DEFAULT_TABLE_SIZE);
  /** The smallest table size since the last block, when it changed: the peer must hear of it first. */
  private smallestSinceBlock = -1;
  private out: number[] = [];
  /** Blocks that left the table as it was, by header list identity (our header lists are constants). */
  private reusable: { headers: readonly Header[]; block: Buffer }[] = [];

  constructor(private readonly unindexed: ReadonlySet<string>) {}

  /** Follows the peer's SETTINGS_HEADER_TABLE_SIZE (we never use more than the default). */
  setPeerTableSize(limit: number): void {
    const size = Math.min(limit, DEFAULT_TABLE_SIZE);
    if (size === this.table.maxSize) return;
    this.smallestSinceBlock = this.smallestSinceBlock < 0 ? size : Math.min(size, this.smallestSinceBlock);
    this.table.resize(size);
  }

  /** The block for a header list; the caller must not modify it (it may be handed out again). */
  encode(headers: readonly Header[]): Buffer {
    if (this.smallestSinceBlock < 0) {
      for (const r of this.reusable) if (r.headers === headers) return r.block;
    }
    const out = this.out;
    out.length = 0;
    let tableChanged = false;
    if (this.smallestSinceBlock >= 0) {
      // RFC 7541 §4.2: signal the smallest size reached, then the current one
      if (this.smallestSinceBlock < this.table.maxSize) writeInt(out, this.smallestSinceBlock, 5, 0x20);
      writeInt(out, this.table.maxSize, 5, 0x20);
      this.smallestSinceBlock = -1;
      tableChanged = true;
    }
    for (const h of headers) if (this.field(h)) tableChanged = true;
    const block = Buffer.from(out);
    if (tableChanged) {
      // indexes into the table may have moved: every kept block is stale, and this one is a one-off
      this.reusable = [];
    } else {
      if (this.reusable.length === REUSED_BLOCKS) this.reusable.shift();
      this.reusable.push({ headers, block });
    }
    return block;
  }

  /** Writes one field; returns whether it entered the dynamic table. */
  private field(h: Header): boolean {
    const [name, value] = h;
    const out = this.out;
    const { entries } = this.table;
    const known = STATIC_NAMES.get(name);
    const exact = known?.values.get(value);
    if (exact) {
      writeInt(out, exact, 7, 0x80);
      return false;
    }
    let nameIndex = known?.index ?? 0;
    for (let i = 0; i < entries.length; i++) {
      if (entries[i][0] !== name) continue;
      if (entries[i][1] === value) {
        writeInt(out, STATIC_TABLE.length + 1 + i, 7, 0x80);
        return false;
      }
      if (!nameIndex) nameIndex = STATIC_TABLE.length + 1 + i;
    }
    const index = !this.unindexed.has(name) && entrySize(h) <= this.table.maxSize;
    if (index) writeInt(out, nameIndex, 6, 0x40);
    else writeInt(out, nameIndex, 4, 0x00);
    if (!nameIndex) writeString(out, name);
    writeString(out, value);
    if (index) this.table.add([name, value]);
    return index;
  }
}

function writeInt(out: number[], value: number, prefixBits: number, firstByte: number): void {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out.push(firstByte | value);
    return;
  }
  out.push(firstByte | max);
  value -= max;
  while (value >= 128) {
    out.push((value % 128) | 128);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

function writeString(out: number[], s: string): void {
  writeInt(out, s.length, 7, 0);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0xff);
}
