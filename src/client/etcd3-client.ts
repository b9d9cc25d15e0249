// The EtcdClient over etcd3's generated raw clients and connection pool. etcd3's retry and circuit-breaker
// policies are replaced by no-ops: they would stretch --command-timeout. Instead this adapter keeps one pool
// per endpoint, and BalancedClient waits at most --dial-timeout for any endpoint to connect and fails over on
// Unavailable. The CLI uses it for streams (watch, keep-alive, snapshot); unary calls go over H2Client.
import { readFileSync } from 'node:fs';
// First: etcd3 must find our precompiled schema in place of its .proto parser when it loads.
import './precompiled-proto-loader.js';
import './fast-ipv6-check.js';
import * as grpc from '@grpc/grpc-js';
import type { ClientDuplexStream, ClientReadableStream, Metadata } from '@grpc/grpc-js';
import { ConnectionPool } from 'etcd3/lib/connection-pool.js';
import type { IOptions } from 'etcd3/lib/options.js';
import { GrpcCode } from '../api/etcd-errors.js';
import type { AuthToken } from './auth-token.js';
import { BalancedClient } from './balanced-client.js';
import {
  type ClientConfig,
  type GrpcStream,
  recvLimitError,
  RpcError,
  sendLimitError,
  type ServiceName,
  type StreamName,
  type TransportFailure,
} from './client.js';
import { type ProbeOptions, probeEndpoint } from './dial-probe.js';

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
  endpoint: string;
  client: RawClient;
}

export class Etcd3Client extends BalancedClient<Connection> {
  private readonly pools = new Map<string, ConnectionPool>();
  private closed = false;

  constructor(config: ClientConfig, endpoints: string[] = config.endpoints, token?: AuthToken) {
    super(config, endpoints, token);
  }

  close(): void {
    this.closed = true;
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }

  protected override closedForCalls(): boolean {
    return this.closed;
  }

  protected async invoke<Res>(connection: Connection, service: ServiceName, method: string, req: object, token: string | undefined, deadline: number | undefined): Promise<Res> {
    const metadata = withToken(token);
    return new Promise<Res>((resolve, reject) => {
      const callOptions = deadline === undefined ? {} : { deadline: new Date(deadline) };
      connection.client[method](req, metadata, callOptions, (err: Error | null, res: Res) => (err ? reject(err) : resolve(res)));
    }).catch((error: unknown) => {
      throw this.limitError(error, connection, service, method, req) ?? error;
    });
  }

  protected forget(endpoint: string): void {
    this.pool(endpoint).close();
    this.pools.delete(endpoint);
  }

  /** grpc-js keeps the socket or TLS error to itself: a probe connection tells why the dial failed. */
  protected dialFailure(endpoint: string): Promise<TransportFailure | undefined> {
    return probeEndpoint(endpoint, this.probeOptions(endpoint));
  }

  /**
   * grpc-js enforces the limits with texts of its own; clientv3's users (and scripts) see grpc-go's, which
   * name the encoded message's size, so a refused request is encoded again (only then) to measure it.
   */
  private limitError(error: unknown, connection: Connection, service: ServiceName, method: string, req: object): RpcError | undefined {
    const { code, details } = error as { code?: unknown; details?: unknown };
    if (code !== GrpcCode.ResourceExhausted || typeof details !== 'string' || !details.startsWith(GRPC_JS_SEND_LIMIT)) return undefined;
    const size = this.encodedSize(connection, service, method, req);
    return size === undefined ? undefined : sendLimitError(size, this.limits.send, connection.endpoint);
  }

  /** The size of a request as grpc-js encodes it (its generated methods carry their serializer). */
  protected encodedSize(connection: Connection, _service: ServiceName, method: string, req: object): number | undefined {
    const serialize = (connection.client[method] as { requestSerialize?: (value: object) => Buffer }).requestSerialize;
    return serialize ? serialize(req).length : undefined;
  }

  protected toRpcError(error: unknown, endpoint: string): RpcError {
    return toRpcError(error, endpoint);
  }

  protected async duplex<Req, Res>(service: ServiceName, method: string): Promise<GrpcStream<Req, Res>> {
    await this.loginForStream(method as StreamName);
    const { endpoint, connection } = await this.connect(service, undefined);
    const call = connection.client[method](withToken(await this.token?.current()), {}) as ClientDuplexStream<Req, Res>;
    return wrapStream(call, endpoint);
  }

  protected async serverStream<Req, Res>(service: ServiceName, method: string, req: Req): Promise<GrpcStream<never, Res>> {
    await this.loginForStream(method as StreamName);
    const { endpoint, connection } = await this.connect(service, undefined);
    const call = connection.client[method](req, withToken(await this.token?.current()), {}) as ClientReadableStream<Res>;
    return wrapStream(call as unknown as ClientDuplexStream<never, Res>, endpoint);
  }

  protected async login(endpoint: string, deadline: number | undefined, waitForReady: boolean): Promise<string> {
    const { username, password } = this.config.auth!;
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
  }

  protected async ready(endpoint: string, service: ServiceName, readyBy: number): Promise<Connection> {
    const connection = await this.connection(endpoint, service);
    await new Promise<void>((resolve, reject) => connection.client.waitForReady(readyBy, (err) => (err ? reject(err) : resolve())));
    return connection;
  }

  private connection(endpoint: string, service: ServiceName): Promise<Connection> {
    return this.pool(endpoint).withConnection(service, ({ client }) => ({ endpoint, client: client as unknown as RawClient }));
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

/** The call's metadata: the auth token, when there is one. */
function withToken(token: string | undefined): Metadata {
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set('token', token);
  return metadata;
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
