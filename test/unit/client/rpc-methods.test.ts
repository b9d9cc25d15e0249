// The typed client calls etcd3's generated clients by RPC name: every typed method must name an RPC of etcd's
// schema, of the same kind (unary, bidirectional stream, server stream).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etcdPackageDefinition } from '../../../src/api/grpc-package-definition.js';
import { BIDI_STREAM_METHODS, rpcName, SERVER_STREAM_METHODS, UNARY_METHODS } from '../../../src/client/rpc-methods.js';

const schema = etcdPackageDefinition({});

describe('typed client methods', () => {
  const kinds = [
    { table: UNARY_METHODS, requestStream: false, responseStream: false },
    { table: BIDI_STREAM_METHODS, requestStream: true, responseStream: true },
    { table: SERVER_STREAM_METHODS, requestStream: false, responseStream: true },
  ];
  for (const { table, requestStream, responseStream } of kinds) {
    for (const [service, methods] of Object.entries(table)) {
      for (const method of methods as readonly string[]) {
        it(`${service}.${method} is etcd's ${rpcName(method)}`, () => {
          const rpc = schema[`etcdserverpb.${service}`]?.[rpcName(method)];
          assert.ok(rpc, `no RPC ${service}/${rpcName(method)} in etcd's schema`);
          assert.deepEqual({ requestStream: rpc.requestStream, responseStream: rpc.responseStream }, { requestStream, responseStream });
        });
      }
    }
  }
  it("names RPCs after etcd's proto, not proto-loader's aliases", () => {
    assert.equal(rpcName('hashKV'), 'HashKV');
    assert.equal(rpcName('memberList'), 'MemberList');
  });
});
