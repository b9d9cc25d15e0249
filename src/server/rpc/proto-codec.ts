// Hand-written protobuf wire primitives for the hot rpc messages: decoding straight into the shapes
// @grpc/proto-loader would produce, and encoding in two passes (sizes first, then bytes into one
// exactly sized buffer), which costs far less than protobufjs' reflection-built objects. Decoding is
// as strict as etcd's gogo-generated Unmarshal, with its error texts (see ProtoReader).
import {
  UNEXPECTED_EOF, varintSize, VarintReader, WireFormatError, writeInt64Varint, writeVarint,
} from '../../api/primitives/varint.js';

export const EMPTY = Buffer.alloc(0);

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
    this.pos = writeVarint(this.buf, this.pos, n);
  }

  int64(n: number): void {
    this.pos = writeInt64Varint(this.buf, this.pos, n);
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

/** A message as gogo's Unmarshal names it in errors: its Go name and its fields' Go names by number. */
export interface MessageShape {
  name: string;
  fields: ReadonlyMap<number, string>;
}

const NEGATIVE_LENGTH = 'proto: negative length found during unmarshaling';
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Reads one request as etcd's gogo-generated Unmarshal (etcd 3.4.23) does, refusing what it refuses
 * with its text: a decoder switches on whole tags for its fields' right wire types and hands every
 * other tag to unknown(). `end` is the end of the message being read (narrowed by enter()).
 */
export class ProtoReader extends VarintReader {
  declare readonly buf: Buffer;
  /** Where the field being read starts (its tag), for skipRpc's length arithmetic. */
  private fieldStart = 0;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    super(buf, start, end);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A tag: field number × 8 + wire type, the field number cut to an int32 as gogo does. */
  tag(msg: MessageShape): number {
    const start = (this.fieldStart = this.pos);
    const tag = this.varint();
    return tag < 2 ** 31 ? tag : this.wideTag(msg, start);
  }

  private wideTag(msg: MessageShape, start: number): number {
    const wire = this.uint64From(start);
    const wireType = Number(wire & 7n);
    const field = Number(BigInt.asIntN(32, wire >> 3n));
    if (wireType === 4) throw new WireFormatError(`proto: ${msg.name}: wiretype end group for non-group`);
    if (field <= 0) throw new WireFormatError(`proto: ${msg.name}: illegal tag ${field} (wire type ${wire})`);
    return field * 8 + wireType;
  }

  /** A tag its decoder has no case for: refused as gogo refuses it, else skipped as its skipRpc skips it. */
  unknown(tag: number, msg: MessageShape): void {
    const wireType = tag % 8;
    const field = (tag - wireType) / 8;
    if (wireType === 4) throw new WireFormatError(`proto: ${msg.name}: wiretype end group for non-group`);
    if (field === 0) throw new WireFormatError(`proto: ${msg.name}: illegal tag 0 (wire type ${tag})`);
    const goName = msg.fields.get(field);
    if (goName !== undefined) throw new WireFormatError(`proto: wrong wireType = ${wireType} for field ${goName}`);
    this.skipValue(wireType, this.fieldStart);
  }

  private skipValue(wireType: number, fieldStart: number): void {
    switch (wireType) {
      case 0: this.varint(); return;
      case 1: this.advance(8); return;
      case 2: this.advance(this.skippedLength(fieldStart)); return;
      case 3: this.skipGroup(); return;
      case 5: this.advance(4); return;
      default: throw new WireFormatError(`proto: illegal wireType ${wireType}`);
    }
  }

  /** A group's fields up to its end-group tag (whichever field number it names, as gogo does not check). */
  private skipGroup(): void {
    for (let depth = 1; depth > 0; ) {
      const fieldStart = this.pos;
      const wire = this.varint();
      const wireType = wire < 2 ** 53 ? wire % 8 : Number(this.uint64From(fieldStart) & 7n);
      if (wireType === 4) depth--;
      else if (wireType === 3) depth++;
      else this.skipValue(wireType, fieldStart);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new WireFormatError(UNEXPECTED_EOF);
    this.pos += n;
  }

  /** A skipped field's length: skipRpc adds it to its offset from the field's start, as an int64. */
  private skippedLength(fieldStart: number): number {
    const start = this.pos;
    const length = this.varint();
    if (length < 2 ** 53) return length;
    const exact = BigInt.asIntN(64, this.uint64From(start));
    if (exact < 0n || exact > INT64_MAX - BigInt(this.pos - fieldStart)) throw new WireFormatError(NEGATIVE_LENGTH);
    return length;
  }

  /** Where the length-delimited value starting here ends (the reader is left at its first byte). */
  valueEnd(): number {
    const start = this.pos;
    const length = this.varint();
    if (length >= 2 ** 53) {
      // gogo refuses a negative int64 length; 3.4 panics where pos + length overflows, 3.5 refuses it the same way
      const exact = BigInt.asIntN(64, this.uint64From(start));
      if (exact < 0n || exact > INT64_MAX - BigInt(this.pos)) throw new WireFormatError(NEGATIVE_LENGTH);
    }
    if (length > this.end - this.pos) throw new WireFormatError(UNEXPECTED_EOF);
    return this.pos + length;
  }

  /** A bool: any varint whose low 64 bits are not all zero. */
  bool(): boolean {
    const start = this.pos;
    const n = this.varint();
    return n < 2 ** 53 ? n !== 0 : this.uint64From(start) !== 0n;
  }

  /** An enum (a Go int32): the varint's low 32 bits, signed. */
  enum(): number {
    const start = this.pos;
    const n = this.varint();
    if (n < 2 ** 31) return n;
    return n < 2 ** 53 ? Number(BigInt.asIntN(32, BigInt(n))) : Number(BigInt.asIntN(32, this.uint64From(start)));
  }

  /** An int64 as the decimal string proto-loader (longs: String) gives, exact over the full range. */
  int64(): string {
    const start = this.pos;
    const n = this.varint();
    if (n < 2 ** 53) return String(n);
    return BigInt.asIntN(64, this.uint64From(start)).toString();
  }

  /** A length-delimited field's bytes (a view into the message, as protobufjs gives). */
  bytes(): Buffer {
    const start = this.valueEnd();
    const from = this.pos;
    this.pos = start;
    return this.buf.subarray(from, start);
  }

  /** Narrows the reader to the embedded message starting here; returns the end for leave(). */
  enter(): number {
    const outer = this.end;
    this.end = this.valueEnd();
    return outer;
  }

  /** Back in the enclosing message, past the embedded one. */
  leave(outer: number): void {
    this.end = outer;
  }

  /** Skips the embedded message starting here, checking it with `check` (given its bytes' bounds). */
  checkedSkip(check: (buf: Buffer, start: number, end: number) => void): void {
    const end = this.valueEnd();
    check(this.buf, this.pos, end);
    this.pos = end;
  }
}

/** An enum value as proto-loader's `enums: String` gives it: the name, or the number if unknown. */
export function enumName<T extends string>(names: readonly T[], value: number): T {
  return (names[value] ?? value) as T;
}
