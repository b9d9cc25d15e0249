// Values Kubernetes stores in etcd, made readable without Kubernetes' schemas: the `k8s\0` magic and a
// runtime.Unknown envelope (protobuf storage, the default), or plain JSON (--storage-media-type=application/json,
// and CRDs). Protobuf is read at the wire level with the field numbers below, from k8s.io/apimachinery:
//   runtime/generated.proto   Unknown   { TypeMeta typeMeta = 1; bytes raw = 2; string contentEncoding = 3; string contentType = 4; }
//                             TypeMeta  { string apiVersion = 1; string kind = 2; }
//   every stored object       (Pod, ConfigMap, …) has ObjectMeta metadata = 1
//   meta/v1/generated.proto   ObjectMeta { name = 1; generateName = 2; namespace = 3; selfLink = 4; uid = 5;
//                             resourceVersion = 6; int64 generation = 7; Time creationTimestamp = 8;
//                             Time deletionTimestamp = 9; int64 deletionGracePeriodSeconds = 10;
//                             map<string,string> labels = 11; map<string,string> annotations = 12;
//                             repeated OwnerReference ownerReferences = 13; repeated string finalizers = 14 }
//                             Time { int64 seconds = 1; int32 nanos = 2; }   map entries { key = 1; value = 2; }
//                             OwnerReference { kind = 1; name = 3; uid = 4; apiVersion = 5; bool controller = 6 }
import { VarintReader, WireFormatError } from '../../api/primitives/varint.js';

export const K8S_MAGIC = Buffer.from('k8s\0', 'latin1');

interface WireField {
  number: number;
  /** A varint's value, or a length-delimited field's bytes; fixed32/64 fields are skipped. */
  varint?: bigint;
  bytes?: Uint8Array;
}

/** The fields of one protobuf message, in order; throws WireFormatError on anything malformed. */
function wireFields(buf: Uint8Array): WireField[] {
  const reader = new VarintReader(buf);
  const fields: WireField[] = [];
  while (reader.pos < reader.end) {
    const tag = reader.varint();
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (number === 0) throw new WireFormatError('illegal tag 0');
    if (wireType === 0) fields.push({ number, varint: reader.uint64() });
    else if (wireType === 2) {
      const length = reader.varint();
      if (reader.pos + length > reader.end) throw new WireFormatError('unexpected EOF');
      fields.push({ number, bytes: buf.subarray(reader.pos, reader.pos + length) });
      reader.pos += length;
    } else if (wireType === 1 || wireType === 5) {
      reader.pos += wireType === 1 ? 8 : 4;
      if (reader.pos > reader.end) throw new WireFormatError('unexpected EOF');
    } else throw new WireFormatError(`unsupported wire type ${wireType}`);
  }
  return fields;
}

const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('utf8') : '');
const int64 = (v: bigint | undefined) => (v === undefined ? 0n : BigInt.asIntN(64, v));

function lastBytes(fields: WireField[], number: number): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  for (const field of fields) if (field.number === number && field.bytes) found = field.bytes;
  return found;
}

function lastVarint(fields: WireField[], number: number): bigint | undefined {
  let found: bigint | undefined;
  for (const field of fields) if (field.number === number && field.varint !== undefined) found = field.varint;
  return found;
}

/** metav1.Time as Kubernetes writes it in JSON: RFC 3339, UTC, whole seconds. */
function time(bytes: Uint8Array): string {
  const seconds = int64(lastVarint(wireFields(bytes), 1));
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function stringMap(fields: WireField[], number: number): Record<string, string> | undefined {
  const entries = fields.filter((f) => f.number === number && f.bytes).map((f) => wireFields(f.bytes!));
  if (entries.length === 0) return undefined;
  const map: Record<string, string> = {};
  for (const entry of entries) map[text(lastBytes(entry, 1))] = text(lastBytes(entry, 2));
  return map;
}

/** A JSON value whose 64-bit integers are kept exact: printed as bare digits by `prettyJson`. */
export class JsonInteger {
  constructor(readonly digits: string) {}
}

type Json = string | boolean | JsonInteger | Json[] | { [name: string]: Json };

function objectMeta(bytes: Uint8Array): Record<string, Json> {
  const fields = wireFields(bytes);
  const meta: Record<string, Json> = {};
  const str = (name: string, number: number) => {
    const value = lastBytes(fields, number);
    if (value !== undefined && value.length > 0) meta[name] = text(value);
  };
  str('name', 1);
  str('generateName', 2);
  str('namespace', 3);
  str('selfLink', 4);
  str('uid', 5);
  str('resourceVersion', 6);
  const generation = lastVarint(fields, 7);
  if (generation) meta.generation = new JsonInteger(int64(generation).toString());
  const created = lastBytes(fields, 8);
  // An empty Time is Go's zero time, which Kubernetes writes as null: left out here.
  if (created?.length) meta.creationTimestamp = time(created);
  const deleted = lastBytes(fields, 9);
  if (deleted?.length) meta.deletionTimestamp = time(deleted);
  const grace = lastVarint(fields, 10);
  if (grace !== undefined) meta.deletionGracePeriodSeconds = new JsonInteger(int64(grace).toString());
  const labels = stringMap(fields, 11);
  if (labels) meta.labels = labels;
  const annotations = stringMap(fields, 12);
  if (annotations) meta.annotations = annotations;
  const owners = fields.filter((f) => f.number === 13 && f.bytes).map((f) => ownerReference(f.bytes!));
  if (owners.length > 0) meta.ownerReferences = owners;
  const finalizers = fields.filter((f) => f.number === 14 && f.bytes).map((f) => text(f.bytes));
  if (finalizers.length > 0) meta.finalizers = finalizers;
  return meta;
}

function ownerReference(bytes: Uint8Array): Record<string, Json> {
  const fields = wireFields(bytes);
  const owner: Record<string, Json> = {};
  for (const [name, number] of [['apiVersion', 5], ['kind', 1], ['name', 3], ['uid', 4]] as const) {
    const value = lastBytes(fields, number);
    if (value?.length) owner[name] = text(value);
  }
  if (lastVarint(fields, 6)) owner.controller = true;
  return owner;
}

/**
 * A stored Kubernetes protobuf value (`k8s\0` + runtime.Unknown) as the start of the object Kubernetes would
 * show: apiVersion, kind and metadata (the rest needs the type's schema). Undefined for anything else.
 */
export function decodeK8sProtobuf(value: Uint8Array): Record<string, Json> | undefined {
  if (value.length < K8S_MAGIC.length || !K8S_MAGIC.equals(value.subarray(0, K8S_MAGIC.length))) return undefined;
  try {
    const envelope = wireFields(value.subarray(K8S_MAGIC.length));
    const typeMeta = wireFields(lastBytes(envelope, 1) ?? new Uint8Array());
    const object: Record<string, Json> = { apiVersion: text(lastBytes(typeMeta, 1)), kind: text(lastBytes(typeMeta, 2)) };
    const encoding = text(lastBytes(envelope, 3));
    const raw = lastBytes(envelope, 2);
    // Encoded (e.g. gzip) raw bytes cannot be read as a message.
    if (raw && encoding === '') {
      const metadata = lastBytes(wireFields(raw), 1);
      object.metadata = metadata ? objectMeta(metadata) : {};
    }
    if (encoding !== '') object.contentEncoding = encoding;
    const contentType = text(lastBytes(envelope, 4));
    if (contentType !== '') object.contentType = contentType;
    return object;
  } catch (error) {
    if (error instanceof WireFormatError) return undefined;
    throw error;
  }
}

/** JSON indented by two spaces, as `kubectl get -o json`; JsonInteger digits are written as they are. */
export function prettyJson(value: Json, indent = ''): string {
  if (value instanceof JsonInteger) return value.digits;
  if (typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${prettyJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

/**
 * A stored JSON object re-indented, its numbers kept digit for digit (JSON.parse would round 64-bit ones).
 * Undefined when the value is not a JSON object.
 */
export function reindentJson(value: Uint8Array): string | undefined {
  const source = Buffer.from(value).toString('utf8');
  if (!/^\s*\{/.test(source)) return undefined;
  try {
    JSON.parse(source);
  } catch {
    return undefined;
  }
  // Valid JSON: its tokens are strings, numbers, literals and punctuation, so a scan can re-lay them out.
  const tokens = source.match(/"(?:[^"\\]|\\.)*"|[{}[\],:]|[^\s{}[\],:"]+/g) ?? [];
  let out = '';
  let depth = 0;
  const newline = () => `\n${'  '.repeat(depth)}`;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token === '{' || token === '[') {
      const close = token === '{' ? '}' : ']';
      if (next === close) {
        out += token + close;
        i++;
        continue;
      }
      depth++;
      out += token + newline();
    } else if (token === '}' || token === ']') {
      depth--;
      out += newline() + token;
    } else if (token === ',') out += `,${newline()}`;
    else if (token === ':') out += ': ';
    else out += token;
  }
  return out;
}

/** The text `-w k8s` shows for a value: a decoded Kubernetes object or JSON, else undefined (shown as is). */
export function readableK8sValue(value: Uint8Array): string | undefined {
  const object = decodeK8sProtobuf(value);
  if (object) return prettyJson(object);
  return reindentJson(value);
}
