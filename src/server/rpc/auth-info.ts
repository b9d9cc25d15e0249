import type { AuthInfo } from '../auth/auth-store.js';
import type { EtcdServer } from '../server.js';
import type { GrpcCall } from './grpc-edge.js';

// etcd's AuthInfoFromCtx (3.5, server/etcdserver/v3_server.go): the token a client sends in its
// metadata (`token`, or `authorization` from etcd's gRPC gateway) names the user, and a token the
// store does not know is an error of its own; without a token, and only with --client-cert-auth, the
// verified client certificate's CommonName is the user (AuthInfoFromTLS), unless the request came
// through the gRPC gateway.

export type TokenMember = Readonly<Pick<EtcdServer, 'auth' | 'raftIndex' | 'config'>>;

/** null when auth is off or the call carries neither token nor usable certificate; throws InvalidAuthToken for a bad token. */
export function authInfoOf(server: TokenMember, call: Pick<GrpcCall, 'metadata'> & Partial<Pick<GrpcCall, 'peer'>>): AuthInfo | null {
  if (!server.auth.isEnabled) return null;
  const token = call.metadata('token') ?? call.metadata('authorization');
  const fromToken = server.auth.authInfoFromToken(token, server.raftIndex);
  if (fromToken || !server.config.clientTls.clientCertAuth) return fromToken;
  const commonName = call.peer?.clientCommonName ?? null;
  if (commonName === null || call.metadata('grpcgateway-accept') !== undefined) return null;
  return { username: commonName, revision: server.auth.revision };
}
