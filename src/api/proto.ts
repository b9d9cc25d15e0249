// etcd's message schemas, for everything that needs reflection: the client's gRPC package definition,
// printers (json field order, protobuf encoding) and test decoders. Built from the precompiled JSON
// descriptor (scripts/gen-schema.mjs) with protobufjs' light build: no .proto text is parsed at run time.
import protobuf from 'protobufjs/light.js';
import { ETCD_SCHEMA_JSON } from './etcd-schema.generated.js';

let root: protobuf.Root | undefined;

/** The schema root, with proto field names kept (`cluster_id`, not `clusterId`), as @grpc/proto-loader's keepCase. */
export function protoRoot(): protobuf.Root {
  if (!root) {
    root = protobuf.Root.fromJSON(JSON.parse(ETCD_SCHEMA_JSON) as protobuf.INamespace);
    root.resolveAll();
  }
  return root;
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
  const type = protoRoot().lookupType(fullName);
  return type.toObject(type.decode(bytes), PROTO_LOADER_OBJECT_OPTIONS) as Record<string, unknown>;
}
