// etcd's message schemas, for everything that needs reflection: the client's gRPC package definition,
// printers (json field order, protobuf encoding) and test decoders. Built from the precompiled JSON
// descriptor (scripts/gen-schema.mjs) with protobufjs' light build: no .proto text is parsed at run time.
import protobuf from 'protobufjs/light.js';
import { ETCD_SCHEMA_TYPES } from './etcd-schema.generated.js';

let root: protobuf.Root | undefined;

/** The schema root, with proto field names kept (`cluster_id`, not `clusterId`), as @grpc/proto-loader's keepCase. */
export function protoRoot(): protobuf.Root {
  if (!root) {
    root = protobuf.Root.fromJSON(schemaDescriptor());
    root.resolveAll();
  }
  return root;
}

/** The whole schema as one nested protobufjs JSON descriptor, from the generated module's types by full name. */
export function schemaDescriptor(): protobuf.INamespace {
  const top: protobuf.INamespace = {};
  const byName = new Map<string, protobuf.INamespace>([['', top]]);
  for (const [fullName, json] of Object.entries(ETCD_SCHEMA_TYPES)) {
    const dot = fullName.lastIndexOf('.');
    const parent = byName.get(fullName.slice(0, Math.max(0, dot)))!;
    const node = JSON.parse(json) as protobuf.INamespace;
    (parent.nested ??= {})[fullName.slice(dot + 1)] = node;
    byName.set(fullName, node);
  }
  return top;
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
