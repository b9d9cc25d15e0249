// The CLI and the server load etcd's schema (the vendored protos, proto/README.md) from a precompiled JSON
// descriptor instead of parsing .proto text at start-up. These tests hold it to the source: the generated module
// and the wire types generated beside it match the .proto files, and the package definition built from it encodes
// the same messages and decodes exactly as @grpc/proto-loader's from the same files (what etcd3 would build).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { etcdPackageDefinition, type MethodDefinition } from '../../../src/api/grpc-package-definition.js';
import { loadRpcProto } from '../../helpers/rpc-proto.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

/** The reference: @grpc/proto-loader parsing the same vendored .proto files (test/helpers/rpc-proto.ts). */
function protoLoaderDefinition(): Record<string, Record<string, MethodDefinition>> {
  return loadRpcProto() as unknown as Record<string, Record<string, MethodDefinition>>;
}

// One sample per message family, with int64s, bytes, enums, nested and repeated messages, oneofs and maps of flags.
const SAMPLES: Record<string, object> = {
  '/etcdserverpb.KV/Range': { key: Buffer.from('a'), range_end: Buffer.from('b'), limit: '10', revision: '-1', sort_order: 'DESCEND', sort_target: 'MOD', serializable: true, min_mod_revision: '9007199254740993' },
  '/etcdserverpb.KV/Put': { key: Buffer.from([0, 255]), value: Buffer.from('v'), lease: '7587851396432180000', prev_kv: true },
  '/etcdserverpb.KV/Txn': {
    compare: [{ result: 'NOT_EQUAL', target: 'VALUE', key: Buffer.from('k'), value: Buffer.from('x') }, { target: 'LEASE', lease: '5' }],
    success: [{ request_put: { key: Buffer.from('k'), value: Buffer.from('1') } }, { request_txn: { success: [{ request_delete_range: { key: Buffer.from('z') } }] } }],
    failure: [{ request_range: { key: Buffer.from('k') } }],
  },
  '/etcdserverpb.Watch/Watch': { create_request: { key: Buffer.from('w'), start_revision: '3', filters: ['NODELETE'], prev_kv: true, watch_id: '4', fragment: true } },
  '/etcdserverpb.Lease/LeaseGrant': { TTL: '60', ID: '18446744073709551615' },
  '/etcdserverpb.Cluster/MemberAdd': { peerURLs: ['http://10.0.0.1:2380'], isLearner: true },
  '/etcdserverpb.Maintenance/Alarm': { action: 'ACTIVATE', memberID: '12345678901234567890', alarm: 'NOSPACE' },
  '/etcdserverpb.Auth/RoleGrantPermission': { name: 'r', perm: { permType: 'READWRITE', key: Buffer.from('a'), range_end: Buffer.from([0]) } },
};

const HEADER = { cluster_id: '14841639068965178418', member_id: '10276657743932975437', revision: '42', raft_term: '3' };
const KV = { key: Buffer.from('k'), create_revision: '2', mod_revision: '41', version: '7', value: Buffer.from([0, 1, 255]), lease: '7587851396432180000' };
const RESPONSES: Record<string, object> = {
  '/etcdserverpb.KV/Range': { header: HEADER, kvs: [KV, { ...KV, key: Buffer.from('l') }], more: true, count: '12' },
  '/etcdserverpb.KV/Put': { header: HEADER, prev_kv: KV },
  '/etcdserverpb.KV/Txn': { header: HEADER, succeeded: true, responses: [{ response_put: { header: HEADER } }, { response_txn: { responses: [{ response_range: { kvs: [KV] } }] } }] },
  '/etcdserverpb.Watch/Watch': { header: HEADER, watch_id: '4', created: true, compact_revision: '1', events: [{ type: 'DELETE', kv: KV, prev_kv: KV }, { kv: KV }], fragment: true },
  '/etcdserverpb.Lease/LeaseGrant': { header: HEADER, ID: '18446744073709551615', TTL: '60', error: '' },
  '/etcdserverpb.Cluster/MemberAdd': { header: HEADER, member: { ID: '1', name: 'a', peerURLs: ['http://x:2380'], clientURLs: [], isLearner: true }, members: [{ ID: '2' }] },
  '/etcdserverpb.Maintenance/Alarm': { header: HEADER, alarms: [{ memberID: '12345678901234567890', alarm: 'NOSPACE' }] },
  '/etcdserverpb.Auth/RoleGrantPermission': { header: HEADER },
};

describe('precompiled etcd schema', () => {
  it('src/api/etcd-schema.generated.ts is what scripts/gen-schema.mjs makes from the .proto files', async () => {
    const { schemaSource, SCHEMA_MODULE } = (await import(pathToFileURL(path.join(repoRoot, 'scripts/gen-schema.mjs')).href)) as {
      schemaSource(): string;
      SCHEMA_MODULE: string;
    };
    assert.equal(readFileSync(SCHEMA_MODULE, 'utf8'), schemaSource(), 'stale: run `npm run gen:schema`');
  });

  it('nests the generated types back into the descriptor protobufjs makes from the .proto files', async () => {
    const { protoDescriptor } = (await import(pathToFileURL(path.join(repoRoot, 'scripts/gen-schema.mjs')).href)) as { protoDescriptor(): object };
    const { schemaDescriptor } = await import('../../../src/api/proto.js');
    assert.deepEqual(schemaDescriptor(), JSON.parse(JSON.stringify(protoDescriptor())));
  });

  it('src/api/wire-types.generated.ts is what scripts/gen-schema.mjs makes from the .proto files', async () => {
    const { wireTypesSource, WIRE_TYPES_MODULE } = (await import(pathToFileURL(path.join(repoRoot, 'scripts/gen-schema.mjs')).href)) as {
      wireTypesSource(): string;
      WIRE_TYPES_MODULE: string;
    };
    assert.equal(readFileSync(WIRE_TYPES_MODULE, 'utf8'), wireTypesSource(), 'stale: run `npm run gen:schema`');
  });

  it('has every service and method proto-loader has, with the same paths, stream kinds and names', () => {
    const ours = etcdPackageDefinition(OPTIONS);
    const reference = protoLoaderDefinition();
    const services = Object.keys(reference).filter((name) => typeof (reference[name] as { format?: unknown }).format !== 'string');
    assert.ok(services.includes('etcdserverpb.KV') && services.length >= 6, `services: ${services.join(', ')}`);
    assert.deepEqual(Object.keys(ours).sort(), services.sort());
    for (const service of services) {
      for (const [method, definition] of Object.entries(reference[service]!)) {
        const mine = ours[service]![method];
        assert.ok(mine, `${service}.${method} missing`);
        const shape = (d: MethodDefinition) => [d.path, d.requestStream, d.responseStream, d.originalName];
        assert.deepEqual(shape(mine), shape(definition), `${service}.${method}`);
      }
    }
  });

  it('encodes the same messages and decodes exactly as proto-loader does', () => {
    const ours = Object.values(etcdPackageDefinition(OPTIONS)).flatMap((service) => Object.values(service));
    const reference = Object.values(protoLoaderDefinition()).flatMap((service) => Object.values(service) as MethodDefinition[]);
    let checked = 0;
    for (const [methodPath, sample] of Object.entries(SAMPLES)) {
      const mine = ours.find((d) => d.path === methodPath)!;
      const theirs = reference.find((d) => d.path === methodPath)!;
      assert.ok(mine && theirs, methodPath);
      const bytes = theirs.requestSerialize(sample);
      assert.ok(bytes.length > 0, `${methodPath}: the sample encoded to nothing`);
      // Same message on the wire (protobufjs 8 leaves zero-valued fields out, as etcd's Go code does, where
      // older versions wrote an explicit empty string), and the same bytes decode the same.
      assert.deepEqual(theirs.requestDeserialize(mine.requestSerialize(sample)), theirs.requestDeserialize(bytes), `${methodPath}: request`);
      assert.deepEqual(mine.requestDeserialize(bytes), theirs.requestDeserialize(bytes), `${methodPath}: decoded request`);
      const response = RESPONSES[methodPath]!;
      const responseBytes = theirs.responseSerialize(response);
      assert.ok(responseBytes.length > 0, `${methodPath}: the response sample encoded to nothing`);
      assert.deepEqual(theirs.responseDeserialize(mine.responseSerialize(response)), theirs.responseDeserialize(responseBytes), `${methodPath}: response`);
      assert.deepEqual(mine.responseDeserialize(responseBytes), theirs.responseDeserialize(responseBytes), `${methodPath}: decoded response`);
      checked++;
    }
    assert.equal(checked, Object.keys(SAMPLES).length);
  });
});
