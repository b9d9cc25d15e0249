import type { AuthInfo } from '../auth/auth-store.js';
import type { EtcdServer } from '../server.js';
import type { GrpcCall } from './grpc-edge.js';

// etcd's AuthInfoFromCtx: the token a client sends in its metadata (`token`, or `authorization` from
// etcd's gRPC gateway) names the user; a token the store does not know is an error of its own.

export type TokenMember = Readonly<Pick<EtcdServer, 'auth' | 'raftIndex'>>;

/** null when auth is off or the call carries no token; throws InvalidAuthToken for a bad token. */
export function authInfoOf(server: TokenMember, call: Pick<GrpcCall, 'metadata'>): AuthInfo | null {
  if (!server.auth.isEnabled) return null;
  const token = call.metadata('token') ?? call.metadata('authorization');
  return server.auth.authInfoFromToken(token, server.raftIndex);
}
