import { createRequire } from 'node:module';
import * as protoLoader from '@grpc/proto-loader';

// etcd's rpc.proto through proto-loader, the reference codec the server tests check ours against.

export type RpcMethod = {
  requestSerialize(v: unknown): Buffer;
  requestDeserialize(b: Buffer): unknown;
  responseSerialize(v: unknown): Buffer;
  responseDeserialize(b: Buffer): any; // eslint-disable-line @typescript-eslint/no-explicit-any
};

/** Services by full name (`etcdserverpb.KV`), each a map of method name to its codec. */
export function loadRpcProto(): Record<string, Record<string, RpcMethod>> {
  const require = createRequire(import.meta.url);
  return protoLoader.loadSync(require.resolve('etcd3/proto/rpc.proto'), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  }) as unknown as Record<string, Record<string, RpcMethod>>;
}
