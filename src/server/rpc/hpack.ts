// A small HPACK (RFC 7541) decoder and a literal-only encoder: just enough to read a client's
// header blocks and re-emit them without touching the receiver's dynamic table.

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

/** Decoding table: for each code length, the first code and the symbols in code order. */
const HUFFMAN = (() => {
  const byLength: number[][] = Array.from({ length: 31 }, () => []);
  CODE_LENGTHS.forEach((len, sym) => byLength[len].push(sym));
  const firstCode: number[] = new Array(31).fill(0);
  let code = 0;
  for (let len = 1; len <= 30; len++) {
    firstCode[len] = code;
    code = (code + byLength[len].length) * 2;
  }
  return { byLength, firstCode };
})();

function huffmanDecode(data: Uint8Array): string {
  const { byLength, firstCode } = HUFFMAN;
  const out: number[] = [];
  let code = 0;
  let len = 0;
  for (const byte of data) {
    for (let bit = 7; bit >= 0; bit--) {
      code = code * 2 + ((byte >> bit) & 1);
      len++;
      const index = code - firstCode[len];
      if (index >= 0 && index < byLength[len].length) {
        out.push(byLength[len][index]);
        code = 0;
        len = 0;
      } else if (len > 30) {
        throw new Error('hpack: invalid huffman code');
      }
    }
  }
  return Buffer.from(out).toString('latin1');
}

const STATIC_TABLE: [string, string][] = [
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

export class HpackDecoder {
  private dynamic: Header[] = [];
  private size = 0;
  private maxSize = 4096;

  private entry(index: number): Header {
    if (index >= 1 && index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1];
    const dyn = this.dynamic[index - STATIC_TABLE.length - 1];
    if (!dyn) throw new Error(`hpack: bad index ${index}`);
    return dyn;
  }

  private add(h: Header): void {
    this.dynamic.unshift(h);
    this.size += h[0].length + h[1].length + 32;
    this.evict();
  }

  private evict(): void {
    while (this.size > this.maxSize && this.dynamic.length) {
      const h = this.dynamic.pop()!;
      this.size -= h[0].length + h[1].length + 32;
    }
  }

  /** Decodes one complete header block (names and values as latin1 strings). */
  decode(block: Uint8Array): Header[] {
    let pos = 0;
    const int = (prefixBits: number): number => {
      const max = (1 << prefixBits) - 1;
      let value = block[pos++] & max;
      if (value < max) return value;
      let shift = 0;
      for (;;) {
        const b = block[pos++];
        value += (b & 127) * 2 ** shift;
        shift += 7;
        if (b < 128) return value;
      }
    };
    const str = (): string => {
      const huffman = (block[pos] & 0x80) !== 0;
      const len = int(7);
      const raw = block.subarray(pos, pos + len);
      pos += len;
      return huffman ? huffmanDecode(raw) : Buffer.from(raw).toString('latin1');
    };
    const headers: Header[] = [];
    while (pos < block.length) {
      const b = block[pos];
      if (b & 0x80) {
        headers.push(this.entry(int(7)));
      } else if (b & 0x40) {
        const index = int(6);
        const name = index ? this.entry(index)[0] : str();
        const h: Header = [name, str()];
        this.add(h);
        headers.push(h);
      } else if (b & 0x20) {
        this.maxSize = int(5);
        this.evict();
      } else {
        const index = int(4); // without indexing (0000) or never indexed (0001)
        const name = index ? this.entry(index)[0] : str();
        headers.push([name, str()]);
      }
    }
    return headers;
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

/** Encodes headers as literals without indexing, so the receiver's dynamic table stays empty. */
export function encodeLiterals(headers: Header[]): Buffer {
  const out: number[] = [];
  for (const [name, value] of headers) {
    out.push(0x00);
    for (const s of [name, value]) {
      const bytes = Buffer.from(s, 'latin1');
      writeInt(out, bytes.length, 7, 0);
      for (const byte of bytes) out.push(byte);
    }
  }
  return Buffer.from(out);
}
