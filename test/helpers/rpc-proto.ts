import * as protoLoader from '@grpc/proto-loader';
import { PROTO_INCLUDE_DIR, RPC_PROTO } from './proto-files.js';

// etcd's rpc.proto (the vendored copy) through proto-loader, the reference codec the server tests check ours against.

export type RpcMethod = {
  requestSerialize(v: unknown): Buffer;
  requestDeserialize(b: Buffer): unknown;
  responseSerialize(v: unknown): Buffer;
  responseDeserialize(b: Buffer): any; // eslint-disable-line @typescript-eslint/no-explicit-any
};

/** Services by full name (`etcdserverpb.KV`), each a map of method name to its codec. */
export function loadRpcProto(): Record<string, Record<string, RpcMethod>> {
  return protoLoader.loadSync(RPC_PROTO, {
    includeDirs: [PROTO_INCLUDE_DIR],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  }) as unknown as Record<string, Record<string, RpcMethod>>;
}
