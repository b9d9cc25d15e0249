// etcd's messages encoded and decoded straight from the precompiled schema (src/api/etcd-schema.generated.ts),
// without protobufjs: loading it and building its codecs would cost more than a short command's whole budget.
// The objects are exactly what @grpc/proto-loader (protobufjs' toObject with keepCase, longs: String, enums:
// String, defaults, oneofs) gives the etcd3 client, down to key order; what callers pass is read as protobufjs'
// fromObject reads it. test/unit/client/schema-codec.test.ts compares both ways with protobufjs.
import { ETCD_SCHEMA_TYPES } from '../../api/etcd-schema.generated.js';
import { VarintReader, writeUint64Varint } from '../../api/primitives/varint.js';

type Scalar = 'uint64' | 'int64' | 'uint32' | 'bool' | 'string' | 'bytes';

interface EnumInfo {
  readonly byName: Readonly<Record<string, number>>;
  readonly byNumber: ReadonlyMap<number, string>;
  readonly defaultName: string;
}

interface FieldInfo {
  readonly name: string;
  readonly id: number;
  readonly repeated: boolean;
  readonly oneof: string | undefined;
  readonly scalar: Scalar | undefined;
  readonly enumType: EnumInfo | undefined;
  /** Resolved on first use: messages refer to each other. */
  message: MessageInfo | undefined;
  readonly typeName: string;
  readonly scope: string;
}

export interface MessageInfo {
  readonly fullName: string;
  /** By field number, as protobufjs' toObject and encode order them. */
  readonly fields: readonly FieldInfo[];
  readonly byId: ReadonlyMap<number, FieldInfo>;
}

interface SchemaNode {
  nested?: Record<string, SchemaNode>;
  fields?: Record<string, { type: string; id: number; rule?: string }>;
  oneofs?: Record<string, { oneof: string[] }>;
  values?: Record<string, number>;
  methods?: Record<string, { requestType: string; responseType: string }>;
}

const SCALARS = new Set<string>(['uint64', 'int64', 'uint32', 'bool', 'string', 'bytes']);
const EMPTY = Buffer.alloc(0);
const scratch = Buffer.alloc(10);

const nodes = new Map<string, SchemaNode>();
const messages = new Map<string, MessageInfo>();
const enums = new Map<string, EnumInfo>();

/** A type's descriptor, parsed on first use: a short command needs a few of them, not the whole schema. */
function schemaNode(fullName: string): SchemaNode | undefined {
  let node = nodes.get(fullName);
  if (!node && Object.hasOwn(ETCD_SCHEMA_TYPES, fullName)) nodes.set(fullName, (node = JSON.parse(ETCD_SCHEMA_TYPES[fullName]!) as SchemaNode));
  return node;
}

/** protobufjs' lookup: the name inside the referring scope, then each enclosing one. */
function resolveName(name: string, scope: string): string {
  for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
    const candidate = s ? `${s}.${name}` : name;
    if (Object.hasOwn(ETCD_SCHEMA_TYPES, candidate)) return candidate;
    if (!s) throw new Error(`no type ${name} from ${scope}`);
  }
}

function enumInfo(fullName: string): EnumInfo {
  let info = enums.get(fullName);
  if (!info) {
    const values = schemaNode(fullName)!.values!;
    const names = Object.keys(values);
    info = { byName: values, byNumber: new Map(names.map((name) => [values[name], name])), defaultName: names[0] };
    enums.set(fullName, info);
  }
  return info;
}

export function messageInfo(fullName: string): MessageInfo {
  let info = messages.get(fullName);
  if (info) return info;
  const node = schemaNode(fullName);
  if (!node?.fields) throw new Error(`no message ${fullName}`);
  const oneofOf = new Map<string, string>();
  for (const [oneof, { oneof: members }] of Object.entries(node.oneofs ?? {})) for (const member of members) oneofOf.set(member, oneof);
  const fields: FieldInfo[] = Object.entries(node.fields).map(([name, { type, id, rule }]) => {
    const scalar = SCALARS.has(type) ? (type as Scalar) : undefined;
    const resolved = scalar ? undefined : resolveName(type, fullName);
    return {
      name,
      id,
      repeated: rule === 'repeated',
      oneof: oneofOf.get(name),
      scalar,
      enumType: resolved && schemaNode(resolved)!.values ? enumInfo(resolved) : undefined,
      message: undefined,
      typeName: resolved ?? type,
      scope: fullName,
    };
  });
  fields.sort((a, b) => a.id - b.id);
  info = { fullName, fields, byId: new Map(fields.map((field) => [field.id, field])) };
  messages.set(fullName, info);
  return info;
}

function fieldMessage(field: FieldInfo): MessageInfo {
  return (field.message ??= messageInfo(field.typeName));
}

/** The request and response message names of an RPC: `("etcdserverpb.KV", "Range")`. */
export function methodTypes(service: string, method: string): { request: string; response: string } {
  const rpc = schemaNode(service)?.methods?.[method];
  if (!rpc) throw new Error(`no method ${service}/${method}`);
  const scope = service.slice(0, service.lastIndexOf('.'));
  return { request: resolveName(rpc.requestType, scope), response: resolveName(rpc.responseType, scope) };
}

// ---- decoding ----

/** A message's bytes in proto-loader's object shape; throws on bytes protobufjs cannot read. */
export function decodeMessage(info: MessageInfo, buf: Buffer, start = 0, end = buf.length): Record<string, unknown> {
  const reader = new VarintReader(buf, start, end);
  const values = new Map<FieldInfo, unknown>();
  while (reader.pos < end) {
    const tag = reader.varint();
    const wireType = tag % 8;
    const field = info.byId.get(Math.floor(tag / 8));
    if (!field) {
      skipField(reader, wireType);
      continue;
    }
    if (field.repeated) {
      let list = values.get(field) as unknown[] | undefined;
      if (!list) values.set(field, (list = []));
      if (wireType === 2 && isPackable(field)) {
        const packedEnd = lengthEnd(reader);
        const inner = new VarintReader(buf, reader.pos, packedEnd);
        while (inner.pos < packedEnd) list.push(readValue(field, inner));
        reader.pos = packedEnd;
      } else {
        list.push(readValue(field, reader));
      }
    } else {
      values.set(field, readValue(field, reader));
    }
  }
  return toObject(info, values);
}

/** protobufjs' toObject order: repeated fields, then defaults of the others, then oneof members as set. */
function toObject(info: MessageInfo, values: Map<FieldInfo, unknown>): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  for (const field of info.fields) if (field.repeated) d[field.name] = values.get(field) ?? [];
  for (const field of info.fields) if (!field.repeated && !field.oneof) d[field.name] = values.has(field) ? values.get(field) : defaultValue(field);
  for (const field of info.fields) {
    if (field.oneof && values.has(field)) {
      d[field.name] = values.get(field);
      d[field.oneof] = field.name;
    }
  }
  return d;
}

function defaultValue(field: FieldInfo): unknown {
  if (field.enumType) return field.enumType.defaultName;
  switch (field.scalar) {
    case 'uint64':
    case 'int64':
      return '0';
    case 'uint32':
      return 0;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    default:
      return null;
  }
}

function isPackable(field: FieldInfo): boolean {
  return field.enumType !== undefined || (field.scalar !== undefined && field.scalar !== 'string' && field.scalar !== 'bytes');
}

function lengthEnd(reader: VarintReader): number {
  const length = reader.varint();
  const end = reader.pos + length;
  if (end > reader.end) throw new RangeError(`index out of range: ${reader.pos} + ${length} > ${reader.end}`);
  return end;
}

function readValue(field: FieldInfo, reader: VarintReader): unknown {
  if (field.enumType) {
    const n = Number(BigInt.asIntN(32, reader.uint64()));
    return field.enumType.byNumber.get(n) ?? n;
  }
  switch (field.scalar) {
    case 'uint64': {
      const n = reader.uint64();
      return n.toString();
    }
    case 'int64':
      return BigInt.asIntN(64, reader.uint64()).toString();
    case 'uint32':
      return Number(BigInt.asUintN(32, reader.uint64()));
    case 'bool':
      return reader.varint() !== 0;
    case 'string': {
      const end = lengthEnd(reader);
      const text = (reader.buf as Buffer).toString('utf8', reader.pos, end);
      reader.pos = end;
      return text;
    }
    case 'bytes': {
      const end = lengthEnd(reader);
      const bytes = (reader.buf as Buffer).subarray(reader.pos, end);
      reader.pos = end;
      return bytes;
    }
    default: {
      const end = lengthEnd(reader);
      const message = decodeMessage(fieldMessage(field), reader.buf as Buffer, reader.pos, end);
      reader.pos = end;
      return message;
    }
  }
}

function skipField(reader: VarintReader, wireType: number): void {
  switch (wireType) {
    case 0:
      reader.varint();
      return;
    case 1:
      reader.pos += 8;
      break;
    case 2:
      reader.pos = lengthEnd(reader);
      return;
    case 5:
      reader.pos += 4;
      break;
    default:
      throw new Error(`invalid wire type ${wireType} at offset ${reader.pos}`);
  }
  if (reader.pos > reader.end) throw new RangeError('index out of range');
}

// ---- encoding ----

/** Bytes being built: small writes gather in a number array, large byte strings are kept as they are. */
class Output {
  readonly parts: Buffer[] = [];
  private bytes: number[] = [];

  varint(n: bigint | number): void {
    if (typeof n === 'number' && n >= 0 && n < 2 ** 53) {
      while (n >= 0x80) {
        this.bytes.push((n % 0x80) | 0x80);
        n = Math.floor(n / 0x80);
      }
      this.bytes.push(n);
      return;
    }
    // negative (two's complement) or beyond 2^53
    const end = writeUint64Varint(scratch, 0, BigInt(n));
    for (let i = 0; i < end; i++) this.bytes.push(scratch[i]);
  }

  raw(bytes: Uint8Array): void {
    if (bytes.length < 64) {
      for (const b of bytes) this.bytes.push(b);
      return;
    }
    this.flushBytes();
    this.parts.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  }

  finish(): Buffer {
    this.flushBytes();
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
  }

  private flushBytes(): void {
    if (this.bytes.length) this.parts.push(Buffer.from(this.bytes));
    this.bytes = [];
  }
}

/** A request object (shapes as protobufjs' fromObject takes them) as message bytes. */
export function encodeMessage(info: MessageInfo, message: Record<string, unknown>): Buffer {
  const out = new Output();
  writeMessage(info, message, out);
  return out.finish();
}

function writeMessage(info: MessageInfo, message: Record<string, unknown>, out: Output): void {
  for (const field of info.fields) {
    const value = message[field.name];
    if (value === null || value === undefined) continue;
    if (!field.repeated) {
      // proto3 leaves out a default value (a oneof member is written whatever its value), as protobufjs and grpc-go do
      if (field.oneof || !isDefault(field, value)) writeField(field, value, out);
      continue;
    }
    if (!Array.isArray(value)) throw new TypeError(`.${info.fullName}.${field.name}: array expected`);
    if (value.length === 0) continue;
    if (isPackable(field)) {
      const packed = new Output();
      for (const item of value) writeScalar(field, item, packed);
      const bytes = packed.finish();
      out.varint(field.id * 8 + 2);
      out.varint(bytes.length);
      out.raw(bytes);
    } else {
      for (const item of value) writeField(field, item, out);
    }
  }
}

function writeField(field: FieldInfo, value: unknown, out: Output): void {
  if (field.enumType) {
    const n = enumNumber(field.enumType, value);
    if (n === undefined) return; // protobufjs' fromObject leaves an unknown name unset
    out.varint(field.id * 8);
    out.varint(n < 0 ? BigInt(n) : n);
    return;
  }
  switch (field.scalar) {
    case 'string':
    case 'bytes': {
      const bytes = field.scalar === 'string' ? Buffer.from(String(value), 'utf8') : toBytes(value);
      out.varint(field.id * 8 + 2);
      out.varint(bytes.length);
      out.raw(bytes);
      return;
    }
    case undefined: {
      if (typeof value !== 'object') throw new TypeError(`.${field.scope}.${field.name}: object expected`);
      const bytes = encodeMessage(fieldMessage(field), value as Record<string, unknown>);
      out.varint(field.id * 8 + 2);
      out.varint(bytes.length);
      out.raw(bytes);
      return;
    }
    default:
      out.varint(field.id * 8);
      writeScalar(field, value, out);
  }
}

/** A varint-encoded value (a packed list's item, or a field's value after its tag). */
function writeScalar(field: FieldInfo, value: unknown, out: Output): void {
  if (field.enumType) {
    const n = enumNumber(field.enumType, value) ?? 0;
    out.varint(n < 0 ? BigInt(n) : n);
    return;
  }
  switch (field.scalar) {
    case 'bool':
      out.varint(value ? 1 : 0);
      return;
    case 'uint32':
      out.varint(Number(value) >>> 0);
      return;
    default:
      out.varint(toInt64(value));
  }
}

function isDefault(field: FieldInfo, value: unknown): boolean {
  if (field.enumType) return (enumNumber(field.enumType, value) ?? 0) === 0;
  switch (field.scalar) {
    case 'bool':
      return !value;
    case 'uint32':
      return Number(value) >>> 0 === 0;
    case 'uint64':
    case 'int64':
      return BigInt(toInt64(value)) === 0n;
    case 'string':
      return String(value) === '';
    case 'bytes':
      return toBytes(value).length === 0;
    default:
      return false;
  }
}

function enumNumber(info: EnumInfo, value: unknown): number | undefined {
  if (typeof value === 'number') return value | 0;
  return typeof value === 'string' ? info.byName[value] : undefined;
}

/** An int64 or uint64 as protobufjs' Long.fromValue takes it: a number, a decimal string, a bigint or a Long. */
function toInt64(value: unknown): bigint | number {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? (Number.isSafeInteger(value) && value >= 0 ? value : BigInt(Math.trunc(value))) : 0;
  if (typeof value === 'string') return BigInt(value);
  if (value && typeof value === 'object' && 'low' in value && 'high' in value) {
    const { low, high } = value as { low: number; high: number };
    return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  }
  return 0;
}

function toBytes(value: unknown): Uint8Array {
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  if (value instanceof Uint8Array) return value;
  return Array.isArray(value) ? Buffer.from(value as number[]) : EMPTY;
}
