import type protobuf from 'protobufjs';
import { UNEXPECTED_EOF, WireFormatError } from '../../api/primitives/varint.js';
import { ProtoReader, type MessageShape } from './proto-codec.js';

// etcd's generated Unmarshal as a check, driven by a message's field table instead of generated code:
// requests the hand-written decoders do not cover go through it before protobufjs decodes them
// (protobufjs accepts any wire type for a known field, truncated varints and tag 0). It walks embedded
// messages with an explicit stack, so nesting depth costs no call stack.

export type FieldKind = 'varint' | 'fixed64' | 'bytes' | 'fixed32' | 'message';

const WIRE_TYPE: Record<FieldKind, number> = { varint: 0, fixed64: 1, bytes: 2, message: 2, fixed32: 5 };
const FIXED_SIZE: Partial<Record<FieldKind, number>> = { fixed64: 8, fixed32: 4 };

export interface FieldSpec {
  /** gogo's Go field name, as its errors print it. */
  goName: string;
  kind: FieldKind;
  /** A repeated number, which gogo also accepts packed. */
  packable?: boolean;
  message?: () => MessageSpec;
}

export interface MessageSpec extends MessageShape {
  specs: ReadonlyMap<number, FieldSpec>;
}

export function messageSpec(name: string, specs: Record<number, FieldSpec>): MessageSpec {
  const entries = Object.entries(specs).map(([n, spec]) => [Number(n), spec] as const);
  return { name, specs: new Map(entries), fields: new Map(entries.map(([n, spec]) => [n, spec.goName])) };
}

/** Throws WireFormatError with gogo's text where etcd's Unmarshal would refuse the message. */
export function checkWireFormat(spec: MessageSpec, buf: Buffer, start = 0, end = buf.length): void {
  const r = new ProtoReader(buf, start, end);
  const enclosing: { spec: MessageSpec; end: number }[] = [];
  for (;;) {
    if (r.pos >= r.end) {
      const outer = enclosing.pop();
      if (!outer) return;
      r.leave(outer.end);
      spec = outer.spec;
      continue;
    }
    const tag = r.tag(spec);
    const wireType = tag % 8;
    const field = spec.specs.get((tag - wireType) / 8);
    if (field && wireType === WIRE_TYPE[field.kind]) {
      if (field.kind === 'message') {
        enclosing.push({ spec, end: r.enter() });
        spec = field.message!();
      } else readValue(r, field.kind);
    } else if (field?.packable && wireType === 2) {
      readPacked(r, field.kind);
    } else r.unknown(tag, spec);
  }
}

function readValue(r: ProtoReader, kind: FieldKind): void {
  if (kind === 'varint') r.varint();
  else if (kind === 'bytes') r.bytes();
  else skipFixed(r, FIXED_SIZE[kind]!);
}

function skipFixed(r: ProtoReader, size: number): void {
  if (r.end - r.pos < size) throw new WireFormatError(UNEXPECTED_EOF);
  r.pos += size;
}

/** gogo reads packed elements while short of the packed end, each bounded only by the message's end. */
function readPacked(r: ProtoReader, kind: FieldKind): void {
  const packedEnd = r.valueEnd();
  const size = FIXED_SIZE[kind];
  while (r.pos < packedEnd) {
    if (size === undefined) r.varint();
    else skipFixed(r, size);
  }
}

const SCALAR_KINDS: Record<string, FieldKind> = {
  int32: 'varint', int64: 'varint', uint32: 'varint', uint64: 'varint', sint32: 'varint', sint64: 'varint', bool: 'varint',
  fixed64: 'fixed64', sfixed64: 'fixed64', double: 'fixed64', fixed32: 'fixed32', sfixed32: 'fixed32', float: 'fixed32',
  string: 'bytes', bytes: 'bytes',
};

/** protoc-gen-gogo's CamelCase of a proto field name: `range_end` → `RangeEnd`, `memberID` → `MemberID`. */
export function goFieldName(protoName: string): string {
  return protoName.split('_').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

const specsByType = new WeakMap<protobuf.Type, MessageSpec>();

/** The field table of a message of the (resolved) schema. */
export function specFromSchema(type: protobuf.Type): MessageSpec {
  let spec = specsByType.get(type);
  if (spec) return spec;
  const fields: Record<number, FieldSpec> = {};
  for (const f of type.fieldsArray) {
    const resolved = f.resolvedType;
    const isMessage = resolved !== null && 'fields' in resolved;
    const kind: FieldKind = isMessage ? 'message' : resolved ? 'varint' : SCALAR_KINDS[f.type];
    fields[f.id] = {
      goName: goFieldName(f.name),
      kind,
      ...(f.repeated && kind !== 'bytes' && kind !== 'message' ? { packable: true } : {}),
      ...(isMessage ? { message: () => specFromSchema(resolved as protobuf.Type) } : {}),
    };
  }
  spec = messageSpec(type.name, fields);
  specsByType.set(type, spec);
  return spec;
}
