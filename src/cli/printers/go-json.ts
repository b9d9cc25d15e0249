// Go encoding/json as etcdctl gets it for gogo-generated etcd messages: fields in declaration order, every field
// `omitempty`, int64/uint64 as bare numbers, bytes as padded base64, enums as numbers, a oneof as the Go interface
// field wrapping its member (`"Response":{"ResponsePut":{…}}`), and Go's HTML-safe string escaping.
import type protobuf from 'protobufjs';
import { asBytes, big, type Int64Like } from './go-format.js';

const HEX = '0123456789abcdef';

/** Go's json string encoding (HTML-safe); invalid UTF-8 becomes \ufffd. */
export function jsonString(s: string | Uint8Array): string {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  let out = '"';
  let start = 0;
  let i = 0;
  const flush = (end: number) => {
    if (start < end) out += Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
  };
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x3c && c !== 0x3e && c !== 0x26) {
        i++;
        continue;
      }
      flush(i);
      if (c === 0x22 || c === 0x5c) out += '\\' + String.fromCharCode(c);
      else if (c === 0x0a) out += '\\n';
      else if (c === 0x0d) out += '\\r';
      else if (c === 0x09) out += '\\t';
      else out += '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
      i++;
      start = i;
      continue;
    }
    const width = validRuneWidth(b, i);
    if (width === 0) {
      flush(i);
      out += '\\ufffd';
      i++;
      start = i;
      continue;
    }
    // U+2028 / U+2029 are escaped so the output is safe inside JavaScript.
    if (c === 0xe2 && b[i + 1] === 0x80 && (b[i + 2]! & 0xfe) === 0xa8) {
      flush(i);
      out += '\\u202' + HEX[b[i + 2]! & 0xf];
      i += 3;
      start = i;
      continue;
    }
    i += width;
  }
  flush(b.length);
  return out + '"';
}

/** Length of the valid UTF-8 sequence at i, 0 if invalid (Go's utf8.DecodeRune rules). */
function validRuneWidth(b: Uint8Array, i: number): number {
  const b0 = b[i]!;
  const inRange = (j: number, lo = 0x80, hi = 0xbf) => {
    const c = b[i + j];
    return c !== undefined && c >= lo && c <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return inRange(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    return inRange(1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf) && inRange(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    return inRange(1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf) && inRange(2) && inRange(3) ? 4 : 0;
  }
  return 0;
}

/** A []byte: padded standard base64; nil encodes as null (only reachable for wrapper structs without omitempty). */
export const jsonBytes = (b: Uint8Array): string => `"${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')}"`;

export const jsonInt = (v: Int64Like): string => big(v).toString();

/** protoc-gen-go's CamelCase for Go field names: `response_put` → `ResponsePut`. */
export function goCamelCase(name: string): string {
  return name.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());
}

const INT_TYPES = new Set([
  'int32',
  'uint32',
  'sint32',
  'fixed32',
  'sfixed32',
  'int64',
  'uint64',
  'sint64',
  'fixed64',
  'sfixed64',
]);

/** The JSON of one scalar/enum/message value, or undefined when Go's omitempty drops it. */
function encodeSingle(field: protobuf.Field, v: unknown, omitEmpty: boolean): string | undefined {
  const resolved = field.resolvedType;
  if (resolved && 'fields' in resolved) {
    if (v === null || v === undefined) return omitEmpty ? undefined : 'null';
    return encodeMessage(resolved as protobuf.Type, v as Record<string, unknown>);
  }
  if (resolved) {
    const n = enumValue(resolved as protobuf.Enum, v);
    return omitEmpty && n === 0 ? undefined : String(n);
  }
  if (INT_TYPES.has(field.type)) {
    const n = big(v as Int64Like);
    return omitEmpty && n === 0n ? undefined : n.toString();
  }
  switch (field.type) {
    case 'bool':
      return omitEmpty && !v ? undefined : String(Boolean(v));
    case 'string': {
      const s = v === null || v === undefined ? '' : (v as string | Uint8Array);
      return omitEmpty && s.length === 0 ? undefined : jsonString(s);
    }
    case 'bytes': {
      const b = asBytes(v);
      return omitEmpty && b.length === 0 ? undefined : jsonBytes(b);
    }
    case 'double':
    case 'float': {
      const n = Number(v ?? 0);
      return omitEmpty && n === 0 ? undefined : String(n);
    }
  }
  throw new Error(`json: unsupported proto field type ${field.type}`);
}

function enumValue(e: protobuf.Enum, v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return 0;
  const s = String(v);
  for (const [name, n] of Object.entries(e.values)) if (name.toUpperCase() === s.toUpperCase()) return n;
  return /^-?\d+$/.test(s) ? Number(s) : 0;
}

function encodeField(field: protobuf.Field, v: unknown): string | undefined {
  if (field.repeated) {
    const list = (v ?? []) as unknown[];
    if (list.length === 0) return undefined;
    return '[' + list.map((item) => encodeSingle(field, item, false)).join(',') + ']';
  }
  return encodeSingle(field, v, true);
}

/** Which member of a oneof is set: proto-loader's virtual field names it, else the first non-null member. */
function oneofMember(oneof: protobuf.OneOf, obj: Record<string, unknown>): protobuf.Field | undefined {
  const named = obj[oneof.name];
  if (typeof named === 'string') return oneof.fieldsArray.find((f) => f.name === named);
  return oneof.fieldsArray.find((f) => obj[f.name] !== null && obj[f.name] !== undefined);
}

/** The `"key":value` members of a message, in Go struct order (a oneof sits where its first member is declared). */
export function messageMembers(type: protobuf.Type, obj: Record<string, unknown>): string[] {
  const members: string[] = [];
  for (const field of type.fieldsArray) {
    const oneof = field.partOf;
    if (oneof) {
      if (oneof.fieldsArray[0] !== field) continue;
      const set = oneofMember(oneof, obj);
      const inner = set ? `{"${goCamelCase(set.name)}":${encodeSingle(set, obj[set.name], false)}}` : 'null';
      members.push(`"${goCamelCase(oneof.name)}":${inner}`);
      continue;
    }
    const json = encodeField(field, obj[field.name]);
    if (json !== undefined) members.push(`"${field.name}":${json}`);
  }
  return members;
}

export function encodeMessage(type: protobuf.Type, obj: Record<string, unknown>): string {
  return '{' + messageMembers(type, obj).join(',') + '}';
}
