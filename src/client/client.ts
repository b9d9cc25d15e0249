// What commands use to talk to etcd. Commands depend on this interface only; the clients are loaded lazily
// (the etcd3-based one pulls in the gRPC stack), and tests can hand commands any implementation.
import { grpcStatusText, isEtcdErrorMessage } from '../api/etcd-errors.js';
import type { AuthService, ClusterService, KVService, LeaseService, MaintenanceService, WatchService } from './services.js';

export type * from './services.js';

export interface ClientConfig {
  endpoints: string[];
  dialTimeoutMs: number;
  keepAliveTimeMs: number;
  keepAliveTimeoutMs: number;
  insecureTransport: boolean;
  insecureSkipVerify: boolean;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  auth?: { username: string; password: string };
  /**
   * After a failed dial, probe the endpoint fully (TCP, TLS handshake, HTTP/2 preface) to tell why; otherwise only
   * the TCP connect that grpc-go's dial error needs. The CLI asks for it when stderr is a terminal, where it explains.
   */
  diagnoseDialFailures?: boolean;
  /** Called for every failed unary attempt (numbered from 0), as clientv3's retry interceptor logs a warning for each. */
  onUnaryFailure?: (error: RpcError, target: string, attempt: number) => void;
  /** A stale token could not be replaced, so the call fails with this login error (clientv3 warns). */
  onTokenRefreshFailure?: (error: RpcError, target: string) => void;
  /** A stream could not be opened because logging in for it failed (clientv3 logs an error with a stack). */
  onStreamLoginFailure?: (error: RpcError, stream: StreamName) => void;
}

/** The streams a client opens, by RPC. */
export type StreamName = 'Watch' | 'LeaseKeepAlive' | 'Snapshot';

/** A client of every etcd service, one typed method per RPC. */
export interface EtcdClient {
  readonly endpoints: string[];
  readonly kv: KVService;
  readonly watch: WatchService;
  readonly lease: LeaseService;
  readonly cluster: ClusterService;
  readonly maintenance: MaintenanceService;
  readonly auth: AuthService;
  close(): void;
}

/**
 * Why a connection to an endpoint failed, as the transport (or a probe connection right after the failure) saw
 * it. Any transport sets it on the RpcError of a call that never reached a server; the CLI explains it on a terminal.
 */
export interface TransportFailure {
  /** `host:port` as dialled. */
  address: string;
  /**
   * Node's code for the failure: a socket error (ECONNREFUSED, ENOTFOUND, EAI_AGAIN, EHOSTUNREACH, ENETUNREACH,
   * ETIMEDOUT, ECONNRESET), a certificate check (UNABLE_TO_VERIFY_LEAF_SIGNATURE, DEPTH_ZERO_SELF_SIGNED_CERT,
   * SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED, CERT_NOT_YET_VALID, ERR_TLS_CERT_ALTNAME_INVALID, …), a TLS alert
   * from the server (ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE, ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, …), or one of
   * ours: PLAINTEXT_TO_TLS_PORT (the port speaks TLS, we did not) and TLS_TO_PLAINTEXT_PORT (the reverse).
   */
  code: string;
  /** Whether we dialled with TLS. */
  tls: boolean;
  /** Whether we offered a client certificate. */
  clientCertificate?: boolean;
  /** The server's certificate, when the handshake got that far. */
  peerCertificate?: { subject: string; issuer: string; subjectAltNames: string[]; validFrom: string; validTo: string };
}

/** An RPC failure, with what etcdctl needs to report it exactly. */
export class RpcError extends Error {
  /** For a call that never reached a server: grpc-go's dial error, when one is known (e.g. connection refused). */
  dialError?: string;
  /** For a call that never reached a server: what went wrong with the connection, when it could be told. */
  transportFailure?: TransportFailure;
  /** The encoded size of the request, on a request refused as too large. */
  requestBytes?: number;
  /** Raised while authenticating: etcdctl fails such a client at creation (exit 2, ExitBadConnection). */
  authFailure?: boolean;

  constructor(
    readonly code: number,
    readonly details: string,
    /** The endpoint the failing attempt went to (shown in etcdctl's retry warning). */
    readonly endpoint: string,
  ) {
    super(RpcError.describe(code, details));
  }

  /** clientv3 shows etcd's own errors by their text and anything else as a gRPC status. */
  static describe(code: number, details: string): string {
    // clientv3 reports its own context's expiry, whatever the transport said.
    if (code === 4) return 'context deadline exceeded';
    return isEtcdErrorMessage(details) ? details : grpcStatusText(code, details);
  }

  /** The Go status text, as in `"error":"rpc error: code = OutOfRange desc = …"`. */
  get statusText(): string {
    return grpcStatusText(this.code, this.details);
  }
}

/** Raised when no endpoint could be reached before the deadline. */
export const DEADLINE_DETAILS = 'latest balancer error: all SubConns are in TransientFailure';

let clientCreated = false;

/** Whether this process made a client: bin/etcdctl-ts then saves the code cache of a command that talks to a server. */
export function madeClient(): boolean {
  return clientCreated;
}

/**
 * Everything goes over etcd3 unless `h2` (ETCDCTL_TS_TRANSPORT=h2) asks for H2Client: unary calls over our own
 * HTTP/2 on node:net, streams over etcd3, loaded only when one is opened. (Opt-in until the differential suites
 * pass with it on a quiet machine: see the branch h2client's report.)
 */
export async function createClient(config: ClientConfig, transport?: string): Promise<EtcdClient> {
  clientCreated = true;
  if (transport === 'h2') {
    const { H2Client } = await import('./h2-client.js');
    return new H2Client(config);
  }
  const { Etcd3Client } = await import('./etcd3-client.js');
  return new Etcd3Client(config);
}
