// H2Client's codec against the reference: protobufjs with @grpc/proto-loader's options (what etcd3 decodes with).
// For every message of the schema, filled objects (every field set, int64s past 2^53, negative int64s, uint64s
// past 2^63, bytes with 0 and 255, repeated fields, each oneof member in turn) and the empty message go both ways:
// our decoding of protobufjs' bytes must equal protobufjs' decoding, key order included; protobufjs must read our
// encoding as the same message, byte for byte (defaults left out, as proto3 and grpc-go do).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type protobuf from 'protobufjs/light.js';
import { PROTO_LOADER_OBJECT_OPTIONS, protoRoot } from '../../../src/api/proto.js';
import { decodeMessage, encodeMessage, messageInfo, methodTypes } from '../../../src/client/h2/schema-codec.js';

function allTypes(): protobuf.Type[] {
  const types: protobuf.Type[] = [];
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const object of ns.nestedArray) {
      if ((object as protobuf.Type).fieldsArray) types.push(object as protobuf.Type);
      if ((object as protobuf.Namespace).nestedArray) visit(object as protobuf.Namespace);
    }
  };
  visit(protoRoot());
  return types;
}

const INT64S = ['9007199254740993', '-5', '0', '123'];
const UINT64S = ['18446744073709551615', '9223372036854775808', '7', '0'];

/** An object with every field of the type set (one oneof member: `pick` chooses which), nested `depth` deep. */
function filled(type: protobuf.Type, seed: number, depth: number, pick = 0): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const oneofMembers = new Map<string, string[]>();
  for (const oneof of type.oneofsArray) oneofMembers.set(oneof.name, oneof.fieldsArray.map((f) => f.name));
  for (const field of type.fieldsArray) {
    field.resolve();
    if (field.partOf) {
      const members = oneofMembers.get(field.partOf.name)!;
      if (members[pick % members.length] !== field.name) continue;
    }
    const value = (i: number): unknown => {
      const enumType = field.resolvedType as protobuf.Enum | null;
      if (enumType && 'values' in enumType) {
        const names = Object.keys(enumType.values);
        return names[(seed + i) % names.length];
      }
      if (field.resolvedType) return depth > 0 ? filled(field.resolvedType as protobuf.Type, seed + i + 1, depth - 1, pick + i) : {};
      switch (field.type) {
        case 'int64':
          return INT64S[(seed + i) % INT64S.length];
        case 'uint64':
          return UINT64S[(seed + i) % UINT64S.length];
        case 'uint32':
          return 4294967295 - seed - i;
        case 'bool':
          return (seed + i) % 2 === 0;
        case 'string':
          return `s${seed}-${i}-é`;
        case 'bytes':
          return Buffer.from([0, 255, seed % 256, i]);
        default:
          throw new Error(`no sample for ${field.type}`);
      }
    };
    object[field.name] = field.repeated ? [value(0), value(1)] : value(0);
  }
  return object;
}

/** Equal values and the same key order at every level (printers walk objects in key order). */
function assertSameShape(actual: unknown, expected: unknown, where: string): void {
  assert.deepStrictEqual(actual, expected, where);
  if (actual && typeof actual === 'object' && !Buffer.isBuffer(actual)) {
    assert.deepEqual(Object.keys(actual), Object.keys(expected as object), `key order at ${where}`);
    for (const key of Object.keys(actual)) assertSameShape((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${where}.${key}`);
  }
}

describe('schema codec: the shapes etcd3 (protobufjs with proto-loader options) gives', () => {
  for (const type of allTypes()) {
    const fullName = type.fullName.replace(/^\./, '');
    it(`${fullName}: decodes and encodes as protobufjs does`, () => {
      const info = messageInfo(fullName);
      const maxOneof = Math.max(1, ...type.oneofsArray.map((o) => o.fieldsArray.length));
      const samples = [{}, ...Array.from({ length: maxOneof }, (_, pick) => filled(type, pick, 2, pick))];
      for (const [i, sample] of samples.entries()) {
        const reference = Buffer.from(type.encode(type.fromObject(sample)).finish());
        const expected = type.toObject(type.decode(reference), PROTO_LOADER_OBJECT_OPTIONS);
        assertSameShape(decodeMessage(info, reference), expected, `${fullName}[${i}] decoded`);
        const ours = encodeMessage(info, sample);
        assert.equal(ours.toString('hex'), reference.toString('hex'), `${fullName}[${i}] encoded byte for byte as protobufjs`);
        assertSameShape(type.toObject(type.decode(ours), PROTO_LOADER_OBJECT_OPTIONS), expected, `${fullName}[${i}] encoded`);
      }
    });
  }

  it('leaves out fields at their defaults, however given', () => {
    const info = messageInfo('etcdserverpb.PutRequest');
    const bytes = encodeMessage(info, { key: Buffer.from('k'), value: Buffer.alloc(0), lease: '0', prev_kv: false, ignore_value: 0 as unknown as boolean });
    assert.equal(bytes.toString('hex'), '0a016b');
  });

  it('int64 fields take numbers, decimal strings and bigints alike', () => {
    const info = messageInfo('etcdserverpb.RangeRequest');
    const forms = [{ limit: 5, revision: -1 }, { limit: '5', revision: '-1' }, { limit: 5n, revision: -1n }];
    const decoded = forms.map((form) => decodeMessage(info, encodeMessage(info, form)));
    for (const d of decoded) assert.deepEqual([d.limit, d.revision], ['5', '-1']);
  });

  it('names each RPC by its request and response types, from the schema', () => {
    assert.deepEqual(methodTypes('etcdserverpb.KV', 'Range'), { request: 'etcdserverpb.RangeRequest', response: 'etcdserverpb.RangeResponse' });
    assert.deepEqual(methodTypes('etcdserverpb.Maintenance', 'HashKV'), { request: 'etcdserverpb.HashKVRequest', response: 'etcdserverpb.HashKVResponse' });
    assert.throws(() => methodTypes('etcdserverpb.KV', 'Nope'), /no method/);
  });

  it('refuses a truncated message, as protobufjs does', () => {
    const info = messageInfo('etcdserverpb.RangeResponse');
    const type = protoRoot().lookupType('etcdserverpb.RangeResponse');
    const bytes = Buffer.from(type.encode(type.fromObject({ kvs: [{ key: Buffer.from('abc') }] })).finish());
    assert.throws(() => type.decode(bytes.subarray(0, bytes.length - 1)));
    assert.throws(() => decodeMessage(info, bytes.subarray(0, bytes.length - 1)));
  });
});
