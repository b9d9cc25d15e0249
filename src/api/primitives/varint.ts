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

/** Bytes the varint of a uint64 takes (a negative int64 counts as its two's complement). */
export function uint64VarintSize(n: bigint): number {
  let v = BigInt.asUintN(64, n);
  let size = 1;
  for (; v >= 0x80n; v >>= 7n) size++;
  return size;
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

/** Writes a uint64 (a negative int64 as its two's complement) at pos; returns the position after it. */
export function writeUint64Varint(buf: Uint8Array, pos: number, n: bigint): number {
  let v = BigInt.asUintN(64, n);
  for (; v >= 0x80n; v >>= 7n) buf[pos++] = Number(v & 0x7fn) | 0x80;
  buf[pos++] = Number(v);
  return pos;
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

  /** The exact uint64 of the (already checked) varint starting at `start`, bits past the 64th dropped. */
  uint64From(start: number): bigint {
    let v = 0n;
    let shift = 0n;
    for (let p = start; ; p++, shift += 7n) {
      const b = this.buf[p];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, v);
    }
  }

  /** A varint as a uint64. */
  uint64(): bigint {
    const start = this.pos;
    const n = this.varint();
    return n < 2 ** 53 ? BigInt(n) : this.uint64From(start);
  }
}
