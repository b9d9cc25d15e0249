// Reflection over etcd's protos (the copy shipped with etcd3), loaded on first use: printers that need the
// message schemas (json field order, protobuf encoding) pay for protobufjs only when they run.
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

let rootPromise: Promise<protobuf.Root> | undefined;
let loadedRoot: protobuf.Root | undefined;

/** Path of etcd3's rpc.proto (it imports kv.proto and auth.proto next to it). */
export function rpcProtoPath(): string {
  return createRequire(import.meta.url).resolve('etcd3/proto/rpc.proto');
}

/** The proto root with proto field names kept (`cluster_id`, not `clusterId`), as @grpc/proto-loader's keepCase. */
export function loadProtoRoot(): Promise<protobuf.Root> {
  rootPromise ??= new protobuf.Root().load(rpcProtoPath(), { keepCase: true }).then((root) => {
    root.resolveAll();
    loadedRoot = root;
    return root;
  });
  return rootPromise;
}

/** The root if already loaded (for synchronous callers that ran `loadProtoRoot` earlier). */
export function loadedProtoRoot(): protobuf.Root {
  if (!loadedRoot) throw new Error('proto root not loaded: await loadProtoRoot() first');
  return loadedRoot;
}

/** A message type by name: `etcdserverpb.RangeResponse`, `mvccpb.KeyValue`, `authpb.Permission`. */
export async function messageType(fullName: string): Promise<protobuf.Type> {
  return (await loadProtoRoot()).lookupType(fullName);
}

/** The decode options @grpc/proto-loader uses, so tests and tools see responses exactly as clients do. */
export const PROTO_LOADER_OBJECT_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Decodes bytes of a message the way @grpc/proto-loader does (int64 as strings, enums as names, defaults set). */
export async function decodeAsProtoLoader(fullName: string, bytes: Uint8Array): Promise<Record<string, unknown>> {
  const type = await messageType(fullName);
  return type.toObject(type.decode(bytes), PROTO_LOADER_OBJECT_OPTIONS) as Record<string, unknown>;
}
