import type protobuf from 'protobufjs/light.js';
import { goQuote } from '../../api/primitives/go-quote.js';
import { GoJsonError, unmarshalJson, type JsonNode } from './go-json.js';

// etcd 3.4's gateway marshaler (grpc-gateway's JSONPb with OrigName, golang/protobuf's jsonpb): a
// request's JSON to an object protobufjs encodes, a decoded response to JSON. Field names are the
// proto names (lowerCamelCase is accepted too), int64 are strings, bytes base64, enums names, and
// zero values are left out. Errors carry Go's texts (json.Unmarshal's, base64's, jsonpb's).

const INT_TYPES: Record<string, { bits: 32 | 64; signed: boolean }> = {
  int64: { bits: 64, signed: true }, sint64: { bits: 64, signed: true }, sfixed64: { bits: 64, signed: true },
  uint64: { bits: 64, signed: false }, fixed64: { bits: 64, signed: false },
  int32: { bits: 32, signed: true }, sint32: { bits: 32, signed: true }, sfixed32: { bits: 32, signed: true },
  uint32: { bits: 32, signed: false }, fixed32: { bits: 32, signed: false },
};

/** What Go's UnmarshalTypeError calls a JSON value of each kind. */
const KIND_WORD: Record<JsonNode['kind'], string> = { object: 'object', array: 'array', string: 'string', number: 'number', bool: 'bool', null: 'null' };

const typeError = (what: string, goType: string) => new GoJsonError(`json: cannot unmarshal ${what} into Go value of type ${goType}`);

/** protoc's JSON name: underscores dropped, the letter after each upper-cased (`prev_kv` → `prevKv`). */
const camelName = (name: string) => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()).replace(/_/g, '');

/** The Go type gogoproto generates for an enum: `etcdserverpb.RangeRequest_SortOrder`. */
function goEnumName(e: protobuf.Enum): string {
  const [pkg, ...rest] = e.fullName.replace(/^\./, '').split('.');
  return `${pkg}.${rest.join('_')}`;
}

// ---- base64 ---------------------------------------------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;
const isNewline = (b: number | undefined) => b === 0x0a || b === 0x0d;
const corrupt = (at: number) => new GoJsonError(`illegal base64 data at input byte ${at}`);

/** Go's base64.StdEncoding.Decode: padding required, CR and LF skipped, errors at Go's offsets. */
export function goBase64Decode(src: Buffer): Buffer {
  const out: number[] = [];
  let si = 0;
  for (;;) {
    const quantum = [0, 0, 0, 0];
    let length = 4;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        throw corrupt(si - j);
      }
      const c = src[si++]!;
      if (B64_VALUE[c]! >= 0) {
        quantum[j] = B64_VALUE[c]!;
        continue;
      }
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d || j < 2) throw corrupt(si - 1);
      if (j === 2) {
        while (isNewline(src[si])) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== 0x3d) throw corrupt(si - 1);
        si++;
      }
      while (isNewline(src[si])) si++;
      if (si < src.length) throw corrupt(si);
      length = j;
      break;
    }
    const bits = (quantum[0]! << 18) | (quantum[1]! << 12) | (quantum[2]! << 6) | quantum[3]!;
    out.push((bits >> 16) & 0xff);
    if (length > 2) out.push((bits >> 8) & 0xff);
    if (length > 3) out.push(bits & 0xff);
    if (length < 4) return Buffer.from(out);
  }
}

// ---- requests -------------------------------------------------------------------------------------

/** json.Unmarshal of a number into a Go integer: the decimal text when it fits, else the error. */
function goInteger(node: JsonNode, goType: string, bits: 32 | 64, signed: boolean): string | undefined {
  if (node.kind === 'null') return undefined;
  if (node.kind !== 'number') throw typeError(KIND_WORD[node.kind], goType);
  const fail = () => typeError(`number ${node.raw}`, goType);
  if (!/^-?\d+$/.test(node.raw)) throw fail();
  const n = BigInt(node.raw);
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (n < min || n > max) throw fail();
  return n.toString();
}

/** jsonpb's integers: a number, or a number in quotes (the quotes dropped, the rest read again). */
function integerField(node: JsonNode, goType: string, bits: 32 | 64, signed: boolean): string | undefined {
  const value = node.kind === 'string' ? unmarshalJson(node.raw.slice(1, -1)) : node;
  return goInteger(value, goType, bits, signed);
}

function bytesField(node: JsonNode): Buffer | undefined {
  switch (node.kind) {
    case 'null':
      return undefined;
    case 'string':
      return goBase64Decode(Buffer.from(node.value, 'utf8'));
    case 'array':
      return Buffer.from(node.items.map((item) => Number(goInteger(item, 'uint8', 32, false) ?? 0)).map((n) => {
        if (n > 255) throw typeError(`number ${n}`, 'uint8');
        return n;
      }));
    default:
      throw typeError(KIND_WORD[node.kind], '[]uint8');
  }
}

function enumField(node: JsonNode, e: protobuf.Enum): number | undefined {
  const goType = goEnumName(e);
  if (node.kind === 'string') {
    const name = node.raw.slice(1, -1);
    const value = Object.prototype.hasOwnProperty.call(e.values, name) ? e.values[name] : undefined;
    if (value === undefined || e.valuesById[value] !== name) throw new GoJsonError(`unknown value ${goQuote(Buffer.from(name, 'latin1'))} for enum ${goType}`);
    return value;
  }
  const n = goInteger(node, goType, 32, true);
  return n === undefined ? undefined : Number(n);
}

function scalarField(field: protobuf.Field, node: JsonNode): unknown {
  if (field.resolvedType && 'values' in field.resolvedType) return enumField(node, field.resolvedType as protobuf.Enum);
  if (field.resolvedType) return unmarshalMessage(field.resolvedType as protobuf.Type, node);
  const int = INT_TYPES[field.type];
  if (int) return integerField(node, field.type, int.bits, int.signed);
  switch (field.type) {
    case 'bytes':
      return bytesField(node);
    case 'bool':
      if (node.kind === 'null') return undefined;
      if (node.kind !== 'bool') throw typeError(KIND_WORD[node.kind], 'bool');
      return node.value;
    case 'string':
      if (node.kind === 'null') return undefined;
      if (node.kind !== 'string') throw typeError(KIND_WORD[node.kind], 'string');
      return node.value;
    default:
      throw new GoJsonError(`unsupported field type ${field.type}`);
  }
}

/**
 * A request message from its JSON, as jsonpb reads it: an object (or null), each known field by its
 * proto or camelCase name (camelCase wins when both are there), unknown fields ignored, the first bad
 * field (in declaration order, oneofs last) the error.
 */
export function unmarshalMessage(type: protobuf.Type, node: JsonNode): Record<string, unknown> | undefined {
  if (node.kind === 'null') return undefined;
  if (node.kind !== 'object') throw typeError(KIND_WORD[node.kind], 'map[string]json.RawMessage');
  const out: Record<string, unknown> = {};
  const fields = [...type.fieldsArray.filter((f) => !f.partOf), ...type.fieldsArray.filter((f) => f.partOf)];
  for (const field of fields) {
    const value = node.fields.get(camelName(field.name)) ?? node.fields.get(field.name);
    if (value === undefined) continue;
    let decoded: unknown;
    if (field.repeated) {
      if (value.kind === 'null') continue;
      if (value.kind !== 'array') throw typeError(KIND_WORD[value.kind], '[]json.RawMessage');
      decoded = value.items.map((item) => scalarField(field, item) ?? (field.resolvedType && !('values' in field.resolvedType) ? {} : undefined));
    } else {
      // a oneof message set to null: jsonpb sets the member to a nil message, which encodes as no member at all
      decoded = scalarField(field, value);
    }
    if (decoded !== undefined) out[field.name] = decoded;
  }
  return out;
}

// ---- responses ------------------------------------------------------------------------------------

/** A string as Go's json.Marshal writes it: HTML characters and U+2028/9 escaped, \b and \f as \u00XX. */
export function goJsonString(s: string): string {
  return JSON.stringify(s)
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\\b/g, '\\u0008')
    .replace(/\\f/g, '\\u000c')
    .replace(/\\u(d[89a-f][0-9a-f]{2})/g, '\\ufffd');
}

interface LongLike {
  toString(): string;
  isZero?(): boolean;
}

function scalarJson(field: protobuf.Field, v: unknown): string | null {
  if (field.resolvedType && 'values' in field.resolvedType) {
    const n = v as number;
    if (n === 0 && !field.repeated) return null;
    const name = (field.resolvedType as protobuf.Enum).valuesById[n];
    return name === undefined ? String(n) : `"${name}"`;
  }
  if (field.resolvedType) return marshalMessage(field.resolvedType as protobuf.Type, v as protobuf.Message);
  const int = INT_TYPES[field.type];
  if (int) {
    const text = typeof v === 'number' ? String(v) : (v as LongLike).toString();
    if (text === '0' && !field.repeated) return null;
    return int.bits === 64 ? `"${text}"` : text;
  }
  switch (field.type) {
    case 'bytes': {
      const b = v as Uint8Array;
      if (b.length === 0 && !field.repeated) return null;
      return `"${Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64')}"`;
    }
    case 'bool':
      return v || field.repeated ? String(v) : null;
    case 'string':
      return v === '' && !field.repeated ? null : goJsonString(v as string);
    default:
      return v === 0 && !field.repeated ? null : JSON.stringify(v);
  }
}

/** A decoded message as jsonpb marshals it (OrigName, no defaults): declaration order, zero values left out. */
export function marshalMessage(type: protobuf.Type, message: protobuf.Message): string {
  const parts: string[] = [];
  const values = message as unknown as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    const v = values[field.name];
    let json: string | null;
    if (field.repeated) {
      const items = v as unknown[] | undefined;
      if (!items || items.length === 0) continue;
      json = `[${items.map((item) => scalarJson(field, item)).join(',')}]`;
    } else if (field.resolvedType && !('values' in field.resolvedType)) {
      if (v === null || v === undefined) continue;
      json = scalarJson(field, v);
    } else {
      if (field.partOf && !Object.prototype.hasOwnProperty.call(values, field.name)) continue;
      json = scalarJson(field, v);
    }
    if (json !== null) parts.push(`"${field.name}":${json}`);
  }
  return `{${parts.join(',')}}`;
}
