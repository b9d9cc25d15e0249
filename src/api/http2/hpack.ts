// HPACK (RFC 7541) for our HTTP/2 transports (server and client): a decoder for the peer's headers and an
// encoder for our responses, each with its own dynamic table (one pair per connection).
import { HUFFMAN_ACCEPTS_END_BASE64, HUFFMAN_TABLE_BASE64 } from './huffman-tables.generated.js';

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

// The decoder is a state machine over 4-bit nibbles (as nghttp2's): a state is an inner node of the
// code tree, and a table entry says where one nibble leads and which byte (at most one, as codes
// are at least 5 bits) it completes. Entries pack the next state (bits 16+), EMITS | byte, FAILS.
const EMITS = 0x100;
const FAILS = 0x200;

/**
 * The decoder's tables, built from CODE_LENGTHS. Building them costs a few milliseconds of a CLI's start-up, so
 * scripts/gen-huffman.mjs stores them in huffman-tables.generated.ts and a unit test checks the two agree.
 */
export function buildHuffmanTables(): HuffmanTables {
  const lengths = [...CODE_LENGTHS, 30];
  // canonical codes: by length, then by symbol, each the previous plus one
  const order = lengths.map((len, sym) => ({ len, sym })).sort((a, b) => a.len - b.len || a.sym - b.sym);
  // the tree: children[2 * node + bit] is an inner node (> 0), a symbol as -(sym + 1), or 0 (none)
  const children: number[] = [0, 0];
  let code = 0;
  let prevLen = order[0].len;
  for (const { len, sym } of order) {
    code *= 2 ** (len - prevLen);
    prevLen = len;
    let node = 0;
    for (let bit = len - 1; bit > 0; bit--) {
      const slot = 2 * node + (Math.floor(code / 2 ** bit) & 1);
      if (children[slot] === 0) {
        children[slot] = children.length / 2;
        children.push(0, 0);
      }
      node = children[slot];
    }
    children[2 * node + (code & 1)] = -(sym + 1);
    code++;
  }
  const states = children.length / 2;
  const table = new Uint32Array(states * 16);
  for (let state = 0; state < states; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let bit = 3; bit >= 0; bit--) {
        const next = children[2 * node + ((nibble >> bit) & 1)];
        if (next < 0) {
          const sym = -next - 1;
          entry |= sym === EOS ? FAILS : EMITS | sym;
          node = 0;
        } else {
          node = next;
        }
      }
      table[state * 16 + nibble] = (node << 16) | entry;
    }
  }
  // a string may end mid-code only on a prefix of EOS (all ones) shorter than 8 bits
  const acceptsEnd = new Uint8Array(states);
  for (let node = 0, depth = 0; depth < 8; depth++, node = children[2 * node + 1]) acceptsEnd[node] = 1;
  return { table, acceptsEnd };
}

export interface HuffmanTables {
  /** Indexed by state * 16 + nibble: the next state (bits 16+), EMITS | byte, or FAILS. */
  table: Uint32Array;
  /** Whether a string may end in the state. */
  acceptsEnd: Uint8Array;
}

let huffmanTables: HuffmanTables | undefined;

function storedHuffmanTables(): HuffmanTables {
  if (!huffmanTables) {
    const table = Buffer.from(HUFFMAN_TABLE_BASE64, 'base64');
    const acceptsEnd = Buffer.from(HUFFMAN_ACCEPTS_END_BASE64, 'base64');
    huffmanTables = { table: new Uint32Array(table.buffer.slice(table.byteOffset, table.byteOffset + table.length)), acceptsEnd: new Uint8Array(acceptsEnd) };
  }
  return huffmanTables;
}

let huffmanScratch = Buffer.allocUnsafe(256);

export function huffmanDecode(data: Uint8Array): string {
  const { table, acceptsEnd } = storedHuffmanTables();
  // every code is at least 5 bits
  const maxOut = Math.ceil((data.length * 8) / 5);
  if (huffmanScratch.length < maxOut) huffmanScratch = Buffer.allocUnsafe(Math.max(maxOut, huffmanScratch.length * 2));
  const out = huffmanScratch;
  let n = 0;
  let state = 0;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i];
    let entry = table[(state << 4) | (byte >> 4)];
    if (entry & FAILS) throw new HpackError('hpack: EOS in a huffman string');
    if (entry & EMITS) out[n++] = entry & 0xff;
    entry = table[((entry >>> 16) << 4) | (byte & 0xf)];
    if (entry & FAILS) throw new HpackError('hpack: EOS in a huffman string');
    if (entry & EMITS) out[n++] = entry & 0xff;
    state = entry >>> 16;
  }
  if (!acceptsEnd[state]) throw new HpackError('hpack: bad huffman padding');
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
