// Hand-written protobuf wire primitives for the hot rpc messages: decoding straight into the shapes
// @grpc/proto-loader would produce, and encoding in two passes (sizes first, then bytes into one
// exactly sized buffer), which costs far less than protobufjs' reflection-built objects.

export const EMPTY = Buffer.alloc(0);

/** Bytes a non-negative varint below 2^53 takes. */
export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 4;
  n = Math.floor(n / 0x10000000);
  while (n >= 1) {
    size++;
    n = Math.floor(n / 128);
  }
  return size;
}

/** Bytes an int64 field value takes: negative numbers are ten-byte two's complement varints. */
export function int64Size(n: number): number {
  return n < 0 ? 10 : varintSize(n);
}

/** Size of a length-delimited field (tag below 16, so one tag byte) holding len bytes. */
export function lenFieldSize(len: number): number {
  return 1 + varintSize(len) + len;
}

export class ProtoWriter {
  readonly buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  varint(n: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (n >= 0x80) {
      buf[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[pos++] = n;
    this.pos = pos;
  }

  int64(n: number): void {
    if (n >= 0) return this.varint(n);
    let v = BigInt.asUintN(64, BigInt(n));
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /** A length-delimited field: tag, length, bytes. */
  bytesField(tag: number, bytes: Uint8Array): void {
    this.buf[this.pos++] = tag;
    this.varint(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  raw(bytes: Uint8Array): void {
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  finish(): Buffer {
    if (this.pos !== this.buf.length) throw new Error(`proto: wrote ${this.pos} of ${this.buf.length} bytes`);
    return this.buf;
  }
}

/** An unsigned 64-bit varint as bytes (for constant header fields held as bigints). */
export function encodeUint64Varint(n: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

export class ProtoReader {
  pos: number;

  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private fail(): never {
    throw new Error('proto: truncated or malformed message');
  }

  /** A tag's varint (field number << 3 | wire type). */
  tag(): number {
    return this.varint();
  }

  /** A varint as a number; exact below 2^53 (lengths, enums, bools). */
  varint(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail();
      const b = buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
    this.fail();
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  /** An int64 as the decimal string proto-loader (longs: String) gives, exact over the full range. */
  int64(): string {
    const start = this.pos;
    const n = this.varint();
    if (n < 2 ** 53) return String(n);
    let v = 0n;
    let shift = 0n;
    for (let p = start; p < this.pos; p++) {
      v |= BigInt(this.buf[p] & 0x7f) << shift;
      shift += 7n;
    }
    return BigInt.asIntN(64, v).toString();
  }

  /** A length-delimited field's bytes (a view into the message, as protobufjs gives). */
  bytes(): Buffer {
    const len = this.varint();
    const start = this.pos;
    this.pos += len;
    if (this.pos > this.end) this.fail();
    return this.buf.subarray(start, this.pos);
  }

  /** The end position of an embedded message starting here (its length is read). */
  messageEnd(): number {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.end) this.fail();
    return end;
  }

  /** Skips an unknown field of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const length = this.varint(); // read before pos is used: `pos += varint()` would lose the varint
        this.pos += length;
        break;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        this.fail();
    }
    if (this.pos > this.end) this.fail();
  }
}

/** An enum value as proto-loader's `enums: String` gives it: the name, or the number if unknown. */
export function enumName<T extends string>(names: readonly T[], value: number): T {
  return (names[value] ?? value) as T;
}
