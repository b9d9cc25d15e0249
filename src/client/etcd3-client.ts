// The EtcdClient over etcd3's generated raw clients and connection pool. etcd3's retry and circuit-breaker
// policies are replaced by no-ops: they would stretch --command-timeout. Instead this adapter keeps one pool
// per endpoint, waits at most --dial-timeout for any endpoint to connect, and fails over on Unavailable.
import { readFileSync } from 'node:fs';
// First: etcd3 must find our precompiled schema in place of its .proto parser when it loads.
import './precompiled-proto-loader.js';
import './fast-ipv6-check.js';
import * as grpc from '@grpc/grpc-js';
import type { ClientDuplexStream, ClientReadableStream, Metadata } from '@grpc/grpc-js';
import { ConnectionPool } from 'etcd3/lib/connection-pool.js';
import type { IOptions } from 'etcd3/lib/options.js';
import { EtcdErrors, GrpcCode, isEtcdErrorMessage } from '../api/etcd-errors.js';
import { isStaleAuthError, MAX_UNARY_ATTEMPTS, retryBackoffMs } from './auth-retry.js';
import { AuthToken, isAuthNotEnabled } from './auth-token.js';
import {
  type CallOptions,
  type ClientConfig,
  clientMessageLimits,
  DEADLINE_DETAILS,
  type EtcdClient,
  type EtcdServices,
  type GrpcStream,
  recvLimitError,
  RpcError,
  sendLimitError,
  type ServiceName,
  type StreamName,
} from './client.js';
import { grpcDialError, type ProbeOptions, probeEndpoint } from './dial-probe.js';
import { BIDI_STREAM_METHODS, rpcName, SERVER_STREAM_METHODS, UNARY_METHODS } from './rpc-methods.js';

// etcd3 calls `policy.execute(fn)` only; passing straight through disables its retries and breakers.
const passThrough = { execute: (fn: (ctx: unknown) => unknown) => fn({ signal: new AbortController().signal, attempt: 0 }) };

// etcd servers reject keepalive pings more often than this (Go's client clamps the same way).
const MIN_KEEPALIVE_MS = 10_000;
// grpc-go's keepalive timeout when given 0 (grpc-js would time every ping out at once).
const GRPC_GO_KEEPALIVE_TIMEOUT_MS = 20_000;

type RawClient = Record<string, (...args: unknown[]) => unknown> & {
  waitForReady(deadline: Date | number, cb: (err?: Error) => void): void;
};

interface Connection {
  client: RawClient;
}

export class Etcd3Client implements EtcdClient {
  private readonly pools = new Map<string, ConnectionPool>();
  private preferred: string | undefined;
  /** Present when --user gave a name and a password (clientv3's authTokenBundle). */
  private readonly token: AuthToken | undefined;
  /** clientv3's message size limits, enforced by grpc-js (see `limitError` for the texts). */
  private readonly limits: { send: number; recv: number };

  readonly kv = this.service('KV');
  readonly watch = this.service('Watch');
  readonly lease = this.service('Lease');
  readonly cluster = this.service('Cluster');
  readonly maintenance = this.service('Maintenance');
  readonly auth = this.service('Auth');

  constructor(
    private readonly config: ClientConfig,
    readonly endpoints: string[] = config.endpoints,
  ) {
    this.limits = clientMessageLimits(config);
    if (config.auth) this.token = new AuthToken(endpoints, (endpoint, deadline, waitForReady) => this.authenticate(endpoint, deadline, waitForReady));
  }

  close(): void {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }

  /** The typed methods of one service, each calling etcd3's generated client by its RPC name. */
  private service<S extends ServiceName>(service: S): EtcdServices[S] {
    const methods: Record<string, unknown> = {};
    for (const method of UNARY_METHODS[service]) {
      methods[method] = (request: object, opts?: CallOptions) => this.unary(service, rpcName(method), request, opts);
    }
    for (const method of BIDI_STREAM_METHODS[service] as readonly string[]) {
      methods[method] = () => this.duplex(service, rpcName(method));
    }
    for (const method of SERVER_STREAM_METHODS[service] as readonly string[]) {
      methods[method] = (request: object) => this.serverStream(service, rpcName(method), request);
    }
    return methods as unknown as EtcdServices[S];
  }

  private async unary<Res>(service: ServiceName, method: string, req: object, opts: CallOptions = {}): Promise<Res> {
    const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
    const target = this.endpoints[0];
    if (deadline !== undefined && deadline <= Date.now()) {
      // --command-timeout=0s: grpc-go fails a call on an expired context before it picks a connection.
      const expired = new RpcError(GrpcCode.DeadlineExceeded, 'context deadline exceeded', target);
      this.config.onUnaryFailure?.(expired, target, 0);
      throw expired;
    }
    let lastError: RpcError | undefined;
    for (let attempt = 0; attempt < MAX_UNARY_ATTEMPTS; attempt++) {
      await this.backoff(attempt, deadline);
      const { endpoint, connection } = await this.connect(service, deadline).catch((error: RpcError) => {
        // A failed login was logged as its own call.
        if (!error.authFailure) this.config.onUnaryFailure?.(error, target, attempt);
        throw error;
      });
      const metadata = await this.metadata();
      try {
        return await new Promise<Res>((resolve, reject) => {
          const callOptions = deadline === undefined ? {} : { deadline: new Date(deadline) };
          connection.client[method](req, metadata, callOptions, (err: Error | null, res: Res) => (err ? reject(err) : resolve(res)));
        });
      } catch (error) {
        const rpcError = this.limitError(error, endpoint, connection.client, method, req) ?? toRpcError(error, endpoint);
        if (isTooLarge(rpcError) && !rpcError.clientLimit) rpcError.requestBytes = encodedSize(connection.client[method], req);
        lastError = rpcError;
        this.config.onUnaryFailure?.(rpcError, target, attempt);
        if (isStaleAuthError(rpcError.details, this.token !== undefined)) {
          // Certificate (CN) auth has no token: the call is simply tried again.
          await this.token?.refresh(deadline, 'forget').catch((loginError: RpcError) => {
            this.config.onTokenRefreshFailure?.(loginError, target);
            throw loginError;
          });
          continue;
        }
        // A dropped connection fails over to another endpoint; an answer from a server is final.
        const transportFailure = rpcError.code === GrpcCode.Unavailable && !isEtcdErrorMessage(rpcError.details);
        if (!transportFailure || this.endpoints.length === 1) throw rpcError;
        this.preferred = undefined;
        this.pool(endpoint).close();
        this.pools.delete(endpoint);
        if (deadline !== undefined && Date.now() >= deadline) throw rpcError;
      }
    }
    throw lastError!;
  }

  /**
   * grpc-js enforces the limits with texts of its own; clientv3's users (and scripts) see grpc-go's, which
   * name the encoded message's size, so a refused request is encoded again (only then) to measure it.
   */
  private limitError(error: unknown, endpoint: string, client: RawClient, method: string, req: object): RpcError | undefined {
    const { code, details } = error as { code?: unknown; details?: unknown };
    if (code !== GrpcCode.ResourceExhausted || typeof details !== 'string' || !details.startsWith(GRPC_JS_SEND_LIMIT)) return undefined;
    const size = encodedSize(client[method], req);
    return size === undefined ? undefined : sendLimitError(size, this.limits.send, endpoint);
  }

  /** The pause before a retry (clientv3's backoff); a deadline that passes meanwhile ends the call. */
  private async backoff(attempt: number, deadline: number | undefined): Promise<void> {
    const waitMs = retryBackoffMs(attempt, this.endpoints.length);
    if (waitMs <= 0) return;
    if (deadline !== undefined && Date.now() + waitMs >= deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
      throw new RpcError(GrpcCode.DeadlineExceeded, 'context deadline exceeded', this.endpoints[0]);
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  private async duplex<Req, Res>(service: ServiceName, method: string): Promise<GrpcStream<Req, Res>> {
    await this.loginForStream(method as StreamName);
    const { endpoint, connection } = await this.connect(service, undefined);
    const call = connection.client[method](await this.metadata(), {}) as ClientDuplexStream<Req, Res>;
    return wrapStream(call, endpoint);
  }

  private async serverStream<Req, Res>(service: ServiceName, method: string, req: Req): Promise<GrpcStream<never, Res>> {
    await this.loginForStream(method as StreamName);
    const { endpoint, connection } = await this.connect(service, undefined);
    const call = connection.client[method](req, await this.metadata(), {}) as ClientReadableStream<Res>;
    return wrapStream(call as unknown as ClientDuplexStream<never, Res>, endpoint);
  }

  /** clientv3's stream interceptor logs in afresh before every stream (a server with auth off is no failure). */
  private async loginForStream(stream: StreamName): Promise<void> {
    if (!this.token) return;
    try {
      await this.token.refresh(undefined, 'keep');
    } catch (error) {
      if (isAuthNotEnabled(error)) return;
      const rpcError = toRpcError(error, this.endpoints[0]);
      if (!rpcError.authFailure) this.config.onStreamLoginFailure?.(rpcError, stream);
      throw rpcError;
    }
  }

  /** The call's metadata: the auth token, when there is one. */
  private async metadata(): Promise<Metadata> {
    const metadata = new grpc.Metadata();
    const token = await this.token?.current();
    if (token !== undefined) metadata.set('token', token);
    return metadata;
  }

  /** One Authenticate call (clientv3 logs its failure like any unary call's). */
  private async authenticate(endpoint: string, deadline: number | undefined, waitForReady: boolean): Promise<string> {
    const { username, password } = this.config.auth!;
    try {
      const client = await this.pool(endpoint).withConnection('Auth', ({ client }) => client as unknown as RawClient);
      // While it waits for a connection, grpc-js's reconnect timers alone would not keep the process alive.
      const holdOpen = waitForReady ? setInterval(() => {}, 60_000) : undefined;
      const response = await new Promise<{ token: string }>((resolve, reject) => {
        const callOptions = deadline === undefined ? {} : { deadline: new Date(deadline) };
        client.Authenticate({ name: username, password }, new grpc.Metadata({ waitForReady }), callOptions, (err: Error | null, res: { token: string }) =>
          err ? reject(err) : resolve(res),
        );
      }).finally(() => clearInterval(holdOpen));
      return response.token;
    } catch (error) {
      let rpcError = toRpcError(error, endpoint);
      if (!waitForReady && rpcError.code === GrpcCode.Unavailable && !isEtcdErrorMessage(rpcError.details)) {
        // clientv3 logs in over the connection it dialled: an endpoint it cannot reach fails the dial.
        rpcError = new RpcError(GrpcCode.DeadlineExceeded, DEADLINE_DETAILS, endpoint);
        rpcError.transportFailure = await probeEndpoint(endpoint, this.probeOptions(endpoint));
        rpcError.dialError = grpcDialError(rpcError.transportFailure);
      }
      this.config.onUnaryFailure?.(rpcError, this.endpoints[0], 0);
      throw rpcError;
    }
  }

  /** The first endpoint to become ready, waiting at most --dial-timeout (and never past the call's deadline). */
  private async connect(service: ServiceName, deadline: number | undefined): Promise<{ endpoint: string; connection: Connection }> {
    // clientv3 logs in before it dials; a failure to log in fails the command (exit 2).
    await this.token?.current();
    // clientv3 dials without a deadline when --dial-timeout is 0 (or negative).
    const dialTimeoutMs = this.config.dialTimeoutMs > 0 ? this.config.dialTimeoutMs : Infinity;
    const dialDeadline = Math.min(deadline ?? Infinity, Date.now() + dialTimeoutMs);
    const candidates = this.preferred ? [this.preferred] : this.endpoints;
    try {
      const endpoint = await Promise.any(
        candidates.map(async (ep) => {
          const connection = await this.connection(ep, service);
          // Logging in (a slow bcrypt check on the server) already proved the endpoint reachable: the service
          // channel still gets a whole dial timeout of its own, never past the call's deadline.
          const readyBy = Math.max(dialDeadline, Math.min(deadline ?? Infinity, Date.now() + dialTimeoutMs));
          // Without a deadline grpc-js arms no timer, and its connecting socket does not keep the process alive.
          const holdOpen = readyBy === Infinity ? setInterval(() => {}, 60_000) : undefined;
          await new Promise<void>((resolve, reject) =>
            connection.client.waitForReady(readyBy, (err) => (err ? reject(err) : resolve())),
          ).finally(() => clearInterval(holdOpen));
          return ep;
        }),
      );
      this.preferred = endpoint;
      return { endpoint, connection: await this.connection(endpoint, service) };
    } catch (error) {
      const first = error instanceof AggregateError ? error.errors[0] : error;
      if (first instanceof RpcError) throw first;
      if (this.preferred) {
        this.preferred = undefined;
        return this.connect(service, deadline);
      }
      const timeout = new RpcError(GrpcCode.DeadlineExceeded, DEADLINE_DETAILS, this.endpoints[0]);
      timeout.transportFailure = await probeEndpoint(this.endpoints[0], this.probeOptions(this.endpoints[0]));
      timeout.dialError = grpcDialError(timeout.transportFailure);
      throw timeout;
    }
  }

  private connection(endpoint: string, service: ServiceName): Promise<Connection> {
    return this.pool(endpoint).withConnection(service, ({ client }) => ({ client: client as unknown as RawClient }));
  }

  private pool(endpoint: string): ConnectionPool {
    let pool = this.pools.get(endpoint);
    if (!pool) {
      const options = this.poolOptions(endpoint);
      pool = new ConnectionPool(options);
      // As in etcdctl, skipping verification needs a TLS config: certificate flags or --insecure-transport=false.
      if (this.config.insecureSkipVerify && (this.config.tls || !this.config.insecureTransport)) {
        skipCertificateChecks(pool, options.credentials);
      }
      this.pools.set(endpoint, pool);
    }
    return pool;
  }

  /** Certificate flags or --insecure-transport=false ask for TLS (an https:// endpoint does too). */
  private secure(): boolean {
    const { tls } = this.config;
    return Boolean(tls?.caFile || tls?.certFile || tls?.keyFile) || !this.config.insecureTransport;
  }

  /** How the failed dial to `endpoint` was made, for the probe that tells why it failed. */
  private probeOptions(endpoint: string): ProbeOptions {
    const { tls } = this.config;
    // As etcd3 dials: TLS with certificate files, with --insecure-transport=false, or to an https:// endpoint.
    const secure = this.secure() || /^https:\/\//.test(endpoint);
    const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
    // etcd3 passes the key only with a CA or a certificate (see poolOptions).
    const files = tls?.caFile || tls?.certFile ? { ca: read(tls.caFile), cert: read(tls.certFile), key: read(tls.keyFile) } : {};
    const skipVerify = this.config.insecureSkipVerify && (Boolean(tls) || !this.config.insecureTransport);
    return { tls: secure, ...files, skipVerify, tcpOnly: !this.config.diagnoseDialFailures };
  }

  private poolOptions(endpoint: string): IOptions {
    const { tls, keepAliveTimeMs, keepAliveTimeoutMs } = this.config;
    const secure = this.secure();
    const host = secure && !/^https?:\/\//.test(endpoint) ? `https://${endpoint}` : endpoint;
    return {
      hosts: host,
      credentials: tls?.caFile || tls?.certFile
        ? {
            rootCertificate: tls.caFile ? readFileSync(tls.caFile) : (undefined as unknown as Buffer),
            certChain: tls.certFile ? readFileSync(tls.certFile) : undefined,
            privateKey: tls.keyFile ? readFileSync(tls.keyFile) : undefined,
          }
        : undefined,
      grpcOptions: {
        // clientv3 sends no keepalive pings when --keepalive-time is 0 or less.
        ...(keepAliveTimeMs > 0 && {
          'grpc.keepalive_time_ms': Math.max(keepAliveTimeMs, MIN_KEEPALIVE_MS),
          'grpc.keepalive_timeout_ms': keepAliveTimeoutMs === 0 ? GRPC_GO_KEEPALIVE_TIMEOUT_MS : keepAliveTimeoutMs,
        }),
        'grpc.max_send_message_length': this.limits.send,
        'grpc.max_receive_message_length': this.limits.recv,
      },
      faultHandling: { host: () => passThrough as never, global: passThrough as never },
    };
  }
}

/**
 * --insecure-skip-tls-verify: etcd3 builds its TLS credentials without verify options, so its hosts
 * get credentials that accept any certificate (Go's InsecureSkipVerify), before any dial.
 */
function skipCertificateChecks(pool: ConnectionPool, files: IOptions['credentials']): void {
  const credentials = grpc.credentials.createSsl(files?.rootCertificate ?? null, files?.privateKey ?? null, files?.certChain ?? null, {
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
  const internals = pool as unknown as { hosts: Array<{ channelCredentials: unknown }> };
  for (const host of internals.hosts) host.channelCredentials = credentials;
}

// grpc-js's texts for a message over a limit (grpc.max_send/receive_message_length).
const GRPC_JS_SEND_LIMIT = 'Attempted to send message with a size larger than ';
const GRPC_JS_RECV_LIMIT = /^Received message larger than max \((\d+) vs (\d+)\)$/;

/** grpc-js errors carry code and details; etcd3's casts keep only `"<code> <NAME>: <details>"` in the message. */
function toRpcError(error: unknown, endpoint: string): RpcError {
  if (error instanceof RpcError) return error;
  const e = error as { code?: unknown; details?: unknown; message?: string };
  const match = /^(\d+) [A-Z_]+: ([\s\S]*)$/.exec(e.message ?? '');
  const code = typeof e.code === 'number' ? e.code : match ? Number(match[1]) : undefined;
  const details = typeof e.details === 'string' ? e.details : match?.[2];
  // Go's client names an expired call after its context, whatever grpc-js says.
  if (code === GrpcCode.DeadlineExceeded) return new RpcError(code, 'context deadline exceeded', endpoint);
  const overRecvLimit = code === GrpcCode.ResourceExhausted && typeof details === 'string' ? GRPC_JS_RECV_LIMIT.exec(details) : null;
  if (overRecvLimit) return recvLimitError(Number(overRecvLimit[1]), Number(overRecvLimit[2]), endpoint);
  if (code !== undefined && details !== undefined) return new RpcError(code, details, endpoint);
  return new RpcError(GrpcCode.Unknown, e.message ?? String(error), endpoint);
}

/** Refused for its size: by etcd (over --max-request-bytes) or by its gRPC server (over that plus 512 KiB). */
function isTooLarge(error: RpcError): boolean {
  return error.details === EtcdErrors.RequestTooLarge.message || /^grpc: (received|trying to send) message larger than max/.test(error.details);
}

/** The size of a request as grpc-js encodes it (its generated methods carry their serializer). */
function encodedSize(method: unknown, request: object): number | undefined {
  const serialize = (method as { requestSerialize?: (value: object) => Buffer }).requestSerialize;
  return serialize ? serialize(request).length : undefined;
}

function wrapStream<Req, Res>(call: ClientDuplexStream<Req, Res>, endpoint: string): GrpcStream<Req, Res> {
  return {
    endpoint,
    write: (request) => void call.write(request),
    end: () => call.end(),
    cancel: () => call.cancel(),
    async *[Symbol.asyncIterator]() {
      try {
        for await (const message of call) yield message as Res;
      } catch (error) {
        throw toRpcError(error, endpoint);
      }
    },
  };
}
