// Where etcd's vendored .proto files are (proto/README.md), for tests that load the text itself: the reference
// codecs that check our precompiled schema and hand-written codecs against @grpc/proto-loader.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const PROTO_INCLUDE_DIR = path.join(repoRoot, 'proto');
export const RPC_PROTO = 'etcd/api/etcdserverpb/rpc.proto';
