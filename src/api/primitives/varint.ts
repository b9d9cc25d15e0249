// Protobuf base-128 varints, the one implementation for the rpc codecs, the stored KeyValues and the WAL.
// Writers take numbers below 2^53 (lengths, revisions) or bigints (uint64 IDs, negative int64s); the
// reader follows gogo's generated Unmarshal: ten bytes at most, bits past the 64th dropped, and its
// error texts (`unexpected EOF` is Go's io.ErrUnexpectedEOF).

/** A request body etcd's generated Unmarshal would refuse; the message is gogo's text. */
export class WireFormatError extends Error {}

export const UNEXPECTED_EOF = 'unexpected EOF';
export const INTEGER_OVERFLOW = 'proto: integer overflow';

/** Bytes the varint of a non-negative integer below 2^53 takes. */
export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 4;
  for (n = Math.floor(n / 0x10000000); n >= 1; n = Math.floor(n / 0x80)) size++;
  return size;
}

/** Bytes an int64 takes: a negative one is a ten-byte two's complement varint. */
export function int64VarintSize(n: number): number {
  return n < 0 ? 10 : varintSize(n);
}

/** A uint64 (a negative int64 as its two's complement) as two exact numbers: bits 0..27 and 28..63. */
function uint64Halves(n: bigint): [low: number, high: number] {
  const v = BigInt.asUintN(64, n);
  return [Number(v & 0xfffffffn), Number(v >> 28n)];
}

/** Bytes the varint of a uint64 takes (a negative int64 counts as its two's complement). */
export function uint64VarintSize(n: bigint): number {
  const [low, high] = uint64Halves(n);
  return high === 0 ? varintSize(low) : 4 + varintSize(high);
}

/** Writes a non-negative integer below 2^53 at pos; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[pos++] = n;
  return pos;
}

/**
 * Writes a uint64 (a negative int64 as its two's complement) at pos; returns the position after it.
 * Done on numbers: a BigInt shifted in a loop crashes Node 20's optimizing compiler (see uint64From).
 */
export function writeUint64Varint(buf: Uint8Array, pos: number, n: bigint): number {
  const [low, high] = uint64Halves(n);
  if (high === 0) return writeVarint(buf, pos, low);
  for (let i = 0, rest = low; i < 4; i++, rest = Math.floor(rest / 0x80)) buf[pos++] = (rest % 0x80) | 0x80;
  return writeVarint(buf, pos, high);
}

/** Writes an int64 held as a number (exact within ±2^53) at pos; returns the position after it. */
export function writeInt64Varint(buf: Uint8Array, pos: number, n: number): number {
  return n >= 0 ? writeVarint(buf, pos, n) : writeUint64Varint(buf, pos, BigInt(n));
}

/** A uint64 as its varint bytes (for constant fields, encoded once). */
export function encodeUint64Varint(n: bigint): Buffer {
  const buf = Buffer.allocUnsafe(uint64VarintSize(n));
  writeUint64Varint(buf, 0, n);
  return buf;
}

/** Reads varints from buf between pos and end, refusing what gogo refuses. */
export class VarintReader {
  pos: number;

  constructor(readonly buf: Uint8Array, start = 0, public end = buf.length) {
    this.pos = start;
  }

  /**
   * A varint as a number: exact below 2^53, and above that close enough to compare (the exact value is
   * in the bytes from `pos` before the call, see uint64From).
   */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < this.end && buf[pos] < 0x80) {
      this.pos = pos + 1;
      return buf[pos];
    }
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw new WireFormatError(UNEXPECTED_EOF);
      const b = buf[pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      mul *= 0x80;
    }
    throw new WireFormatError(INTEGER_OVERFLOW);
  }

  /**
   * The exact uint64 of the (already checked) varint starting at `start`, bits past the 64th dropped.
   * Summed in two exact number halves: a BigInt accumulated in a loop crashes Node 20's optimizing
   * compiler (V8 RepresentationChangerError on a BigInt64 phi).
   */
  uint64From(start: number): bigint {
    const buf = this.buf;
    let p = start;
    let low = 0; // bits 0..27: the first four bytes
    for (let mul = 1; mul < 2 ** 28; mul *= 0x80) {
      const b = buf[p++];
      low += (b & 0x7f) * mul;
      if (b < 0x80) return BigInt(low);
    }
    let high = 0; // bits 28 and up: at most six more bytes, 42 bits
    for (let mul = 1; ; mul *= 0x80) {
      const b = buf[p++];
      high += (b & 0x7f) * mul;
      if (b < 0x80) break;
    }
    return (BigInt(high % 2 ** 36) << 28n) | BigInt(low);
  }

  /** A varint as a uint64. */
  uint64(): bigint {
    const start = this.pos;
    const n = this.varint();
    return n < 2 ** 53 ? BigInt(n) : this.uint64From(start);
  }
}
