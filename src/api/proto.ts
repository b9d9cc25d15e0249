// etcd's own protos (3.5's rpc.proto, kv.proto and auth.proto, vendored under proto/, see proto/README.md),
// the one wire schema of the server, the printers and the tests. Printers that need the message schemas
// (json field order, protobuf encoding) load it on first use, so they pay for protobufjs only when they run.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** The folder etcd's imports (`etcd/api/mvccpb/kv.proto`) resolve against (this module runs as dist/src/api/proto.js). */
export const PROTO_INCLUDE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');
/** rpc.proto, relative to PROTO_INCLUDE_DIR. */
export const RPC_PROTO = 'etcd/api/etcdserverpb/rpc.proto';

let rootPromise: Promise<protobuf.Root> | undefined;
let loadedRoot: protobuf.Root | undefined;

function newRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_INCLUDE_DIR, target));
  return root;
}

/** The proto root with proto field names kept (`cluster_id`, not `clusterId`), as @grpc/proto-loader's keepCase. */
export function loadProtoRoot(): Promise<protobuf.Root> {
  rootPromise ??= newRoot().load(RPC_PROTO, { keepCase: true }).then((root) => {
    root.resolveAll();
    loadedRoot = root;
    return root;
  });
  return rootPromise;
}

/** The same root, loaded synchronously (for the server, which loads it once at start-up). */
export function loadProtoRootSync(): protobuf.Root {
  if (!loadedRoot) {
    loadedRoot = newRoot().loadSync(RPC_PROTO, { keepCase: true });
    loadedRoot.resolveAll();
    rootPromise = Promise.resolve(loadedRoot);
  }
  return loadedRoot;
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
