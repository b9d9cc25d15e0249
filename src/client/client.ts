// What commands use to talk to etcd. Commands depend on this interface only; the clients are loaded lazily
// (the etcd3-based one pulls in the gRPC stack), and tests can hand commands any implementation.
import { GrpcCode, grpcStatusText, isEtcdErrorMessage } from '../api/etcd-errors.js';
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
   * clientv3's MaxCallSendMsgSize / MaxCallRecvMsgSize (etcdctl 3.6's --max-request-bytes / --max-recv-bytes), in
   * bytes of one encoded message; 0 or less (or absent) means clientv3's defaults, 2 MiB to send and
   * math.MaxInt32 to receive. A message over a limit fails the call, without sending it, with grpc-go's
   * ResourceExhausted texts (`clientMessageLimits` and `sendLimitError`/`recvLimitError` below): every transport honours them.
   */
  maxCallSendMsgSize?: number;
  maxCallRecvMsgSize?: number;
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
  /** A message over this client's own limit (--max-request-bytes / --max-recv-bytes): never a server's answer. */
  clientLimit?: { kind: 'send' | 'recv'; size: number; limit: number };

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

/** clientv3's default send limit: etcd's default --max-request-bytes (1.5 MiB) plus gRPC overhead. */
export const DEFAULT_MAX_CALL_SEND_MSG_SIZE = 2 * 1024 * 1024;
/** clientv3's default receive limit, math.MaxInt32: a range response may well exceed the send limit. */
export const DEFAULT_MAX_CALL_RECV_MSG_SIZE = 2 ** 31 - 1;

/** The limits a client enforces, as clientv3.New settles them; a send limit above the receive limit is refused. */
export function clientMessageLimits(config: Pick<ClientConfig, 'maxCallSendMsgSize' | 'maxCallRecvMsgSize'>): { send: number; recv: number } {
  const send = config.maxCallSendMsgSize ?? 0;
  const recv = config.maxCallRecvMsgSize ?? 0;
  if (recv > 0 && send > recv) {
    throw new ClientConfigError(`gRPC message recv limit (${recv} bytes) must be greater than send limit (${send} bytes)`);
  }
  return { send: send > 0 ? send : DEFAULT_MAX_CALL_SEND_MSG_SIZE, recv: recv > 0 ? recv : DEFAULT_MAX_CALL_RECV_MSG_SIZE };
}

/** A configuration clientv3.New refuses (etcdctl exits with ExitBadConnection). */
export class ClientConfigError extends Error {}

/** grpc-go's client-side error for a request over the send limit (`size` is the encoded message's length). */
export const sendLimitError = (size: number, limit: number, endpoint: string) =>
  Object.assign(new RpcError(GrpcCode.ResourceExhausted, `trying to send message larger than max (${size} vs. ${limit})`, endpoint), {
    clientLimit: { kind: 'send' as const, size, limit },
  });

/** grpc-go's client-side error for a response over the receive limit. */
export const recvLimitError = (size: number, limit: number, endpoint: string) =>
  Object.assign(new RpcError(GrpcCode.ResourceExhausted, `grpc: received message larger than max (${size} vs. ${limit})`, endpoint), {
    clientLimit: { kind: 'recv' as const, size, limit },
  });

/** Raised when no endpoint could be reached before the deadline. */
export const DEADLINE_DETAILS = 'latest balancer error: all SubConns are in TransientFailure';

let clientCreated = false;

/** Whether this process made a client: bin/etcdctl-ts.cjs then saves the code cache of a command that talks to a server. */
export function madeClient(): boolean {
  return clientCreated;
}

/**
 * H2Client by default: unary calls over our own HTTP/2 on TCP, streams over etcd3, loaded only when one is
 * opened (grpc-js and node:http2 alone cost a short command more than Node's own start-up: bench/results.md §1).
 * `etcd3` (ETCDCTL_TS_TRANSPORT=etcd3) sends everything over etcd3, as before; `node-net` is H2Client on node:net
 * sockets only (h2/tcp-connection.ts uses Node's TCP handle for IP addresses).
 */
export async function createClient(config: ClientConfig, transport?: string): Promise<EtcdClient> {
  clientCreated = true;
  if (transport === 'etcd3') {
    const { Etcd3Client } = await import('./etcd3-client.js');
    return new Etcd3Client(config);
  }
  const { H2Client } = await import('./h2-client.js');
  return new H2Client(config, { nodeNet: transport === 'node-net' });
}
