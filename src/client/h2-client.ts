// The EtcdClient for unary calls over our own HTTP/2 on TCP (h2/tcp-connection.ts; node:tls for TLS endpoints):
// neither grpc-js, etcd3, node:http2 nor (for an IP address) node:net is loaded, which is most of a short
// command's start-up. Requests and responses go through the schema codec in the shapes etcd3 gives
// (BalancedClient does the retries, failover and auth as clientv3).
// Streams (watch, lease keep-alive, snapshot) are opened by an Etcd3Client made on first use, sharing the token.
import { readFileSync } from 'node:fs';
import type tls from 'node:tls';
import { GrpcCode } from '../api/etcd-errors.js';
import { BalancedClient } from './balanced-client.js';
import { type ClientConfig, type EtcdClient, type GrpcStream, RpcError, sendLimitError, type ServiceName, type TransportFailure } from './client.js';
import { describeCertificate, endpointAddress, probeEndpoint, type ProbeOptions } from './dial-probe.js';
import { unaryCall } from './h2/grpc-unary.js';
import { Http2ClientConnection } from './h2/http2-client-connection.js';
import { type ByteStream, connectTcp } from './h2/tcp-connection.js';
import { decodeMessage, encodeMessage, messageInfo, methodTypes } from './h2/schema-codec.js';
import { deadlineTimer } from './deadline-timer.js';

interface Channel {
  endpoint: string;
  http2: Http2ClientConnection;
  authority: string;
  scheme: 'http' | 'https';
}

/** grpc-go's (and grpc-js') reconnect backoff: 1 s, ×1.6 per failure, ±20 % jitter, at most 120 s. */
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MULTIPLIER = 1.6;
const BACKOFF_JITTER = 0.2;
const BACKOFF_MAX_MS = 120_000;

/** A dial that failed. */
class DialError extends Error {}

export class H2Client extends BalancedClient<Channel> {
  private readonly channels = new Map<string, Channel>();
  /** Set by close(); every call waiting on a dial or a backoff listens (as many as calls in flight). */
  private readonly closing = new ClosingSignal();
  /** The dial under way per endpoint: concurrent calls share it, as grpc's one connection per address. */
  private readonly dialing = new Map<string, Promise<Channel>>();
  private streamClient: Promise<EtcdClient> | undefined;
  private tlsFiles: { ca?: Buffer; cert?: Buffer; key?: Buffer } | undefined;
  /** Why the last dial of an endpoint failed, as its socket or TLS handshake said (no probe needed then). */
  private readonly dialFailures = new Map<string, TransportFailure>();

  /** `nodeNet`: plaintext connections on node:net sockets even to IP addresses (ETCDCTL_TS_TRANSPORT=node-net). */
  constructor(config: ClientConfig, private readonly transport: { nodeNet?: boolean } = {}) {
    super(config);
  }

  close(): void {
    this.closing.fire();
    for (const channel of this.channels.values()) channel.http2.close();
    this.channels.clear();
    void this.streamClient?.then((client) => client.close());
  }

  protected override closedForCalls(): boolean {
    return this.closing.fired;
  }

  protected async ready(endpoint: string, _service: ServiceName, readyBy: number): Promise<Channel> {
    const existing = this.channels.get(endpoint);
    if (existing?.http2.usable) return existing;
    for (let failures = 0; ; failures++) {
      try {
        return await this.sharedDial(endpoint, readyBy);
      } catch (error) {
        if (this.closing.fired) throw error;
        // grpc-js keeps reconnecting with backoff until the deadline (a TLS handshake failure included)
        const backoff = Math.min(BACKOFF_BASE_MS * BACKOFF_MULTIPLIER ** failures, BACKOFF_MAX_MS) * (1 + BACKOFF_JITTER * (Math.random() * 2 - 1));
        const wait = Math.min(backoff, readyBy - Date.now());
        await this.sleep(wait);
        if (Date.now() >= readyBy) throw error;
      }
    }
  }

  protected invoke<Res>(channel: Channel, service: ServiceName, method: string, req: object, token: string | undefined, deadline: number | undefined): Promise<Res> {
    return this.call(channel, service, method, req, token, deadline) as Promise<Res>;
  }

  protected async login(endpoint: string, deadline: number | undefined, waitForReady: boolean): Promise<string> {
    const { username, password } = this.config.auth!;
    let channel: Channel;
    if (waitForReady) {
      channel = await this.ready(endpoint, 'Auth', deadline ?? Infinity).catch(() => {
        throw new RpcError(GrpcCode.DeadlineExceeded, 'context deadline exceeded', endpoint);
      });
    } else {
      // a fail-fast call: one connection attempt, Unavailable when it fails
      const existing = this.channels.get(endpoint);
      // (BalancedClient makes a failed dial clientv3's dial timeout, with why it failed)
      channel = existing?.http2.usable ? existing : await this.sharedDial(endpoint, deadline ?? Infinity).catch((error: Error) => {
        throw new RpcError(GrpcCode.Unavailable, error.message, endpoint);
      });
    }
    const response = (await this.call(channel, 'Auth', 'Authenticate', { name: username, password }, undefined, deadline)) as { token: string };
    return response.token;
  }

  protected forget(endpoint: string): void {
    this.channels.get(endpoint)?.http2.close();
    this.channels.delete(endpoint);
  }

  /**
   * What the dial's socket or handshake said; a probe when it said nothing (a timeout, a silent close) or only that
   * the peer reset the connection (the probe tells a TLS/plaintext mix-up from a port that is not etcd's).
   */
  protected async dialFailure(endpoint: string): Promise<TransportFailure | undefined> {
    const known = this.dialFailures.get(endpoint);
    if (known && known.code !== 'ECONNRESET' && known.code !== 'EPIPE') return known;
    return (await probeEndpoint(endpoint, this.probeOptions(endpoint))) ?? known;
  }

  protected encodedSize(_channel: Channel, service: ServiceName, method: string, req: object): number | undefined {
    return encodeMessage(messageInfo(methodTypes(`etcdserverpb.${service}`, method).request), req as Record<string, unknown>).length;
  }

  /** The probe for a failure the transport could not see the cause of, dialling as dial() does. */
  private probeOptions(endpoint: string): ProbeOptions {
    const target = endpointAddress(endpoint);
    const tlsOptions = target && this.tlsOptions(endpoint);
    const skipVerify = tlsOptions?.rejectUnauthorized === false;
    return { tls: Boolean(tlsOptions), ...(tlsOptions && this.tlsFiles), skipVerify, tcpOnly: !this.config.diagnoseDialFailures };
  }

  protected toRpcError(error: unknown, endpoint: string): RpcError {
    if (error instanceof RpcError) return error;
    return new RpcError(GrpcCode.Unknown, error instanceof Error ? error.message : String(error), endpoint);
  }

  protected async duplex<Req, Res>(service: ServiceName, method: string): Promise<GrpcStream<Req, Res>> {
    const client = (await this.streams()) as unknown as Record<string, Record<string, () => Promise<GrpcStream<Req, Res>>>>;
    return client[service.toLowerCase()][lowerFirst(method)]();
  }

  protected async serverStream<Req, Res>(service: ServiceName, method: string, req: Req): Promise<GrpcStream<never, Res>> {
    const client = (await this.streams()) as unknown as Record<string, Record<string, (req: Req) => Promise<GrpcStream<never, Res>>>>;
    return client[service.toLowerCase()][lowerFirst(method)](req);
  }

  /** The etcd3 client for streams, loaded (with grpc-js) only when a command opens one. */
  private streams(): Promise<EtcdClient> {
    this.streamClient ??= import('./etcd3-client.js').then(({ Etcd3Client }) => new Etcd3Client(this.config, this.endpoints, this.token));
    return this.streamClient;
  }

  private async call(channel: Channel, service: ServiceName, method: string, req: object, token: string | undefined, deadline: number | undefined): Promise<unknown> {
    const types = methodTypes(`etcdserverpb.${service}`, method);
    const message = encodeMessage(messageInfo(types.request), req as Record<string, unknown>);
    // clientv3's MaxCallSendMsgSize: a larger request fails before it is sent
    if (message.length > this.limits.send) throw sendLimitError(message.length, this.limits.send, channel.endpoint);
    const path = `/etcdserverpb.${service}/${method}`;
    const bytes = await unaryCall(channel.http2, channel.endpoint, {
      path, authority: channel.authority, scheme: channel.scheme, token, deadline, message, maxReceiveBytes: this.limits.recv,
    });
    try {
      return decodeMessage(messageInfo(types.response), bytes);
    } catch (error) {
      throw new RpcError(GrpcCode.Internal, `Response message parsing error: ${(error as Error).message}`, channel.endpoint);
    }
  }

  /** The endpoint's dial under way, or a new one; each caller gives up at its own `by`. */
  private sharedDial(endpoint: string, by: number): Promise<Channel> {
    let pending = this.dialing.get(endpoint);
    if (!pending) {
      pending = this.dial(endpoint, by).finally(() => this.dialing.delete(endpoint));
      this.dialing.set(endpoint, pending);
      return pending;
    }
    if (by === Infinity) return pending;
    const shared = pending;
    return new Promise<Channel>((resolve, reject) => {
      const timer = setTimeout(() => reject(new DialError('dial timeout')), Math.max(0, by - Date.now()));
      shared.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  /**
   * One connection attempt (TCP, then TLS when the endpoint uses it, then the server's SETTINGS, as grpc-go's dial),
   * given up at `by`. A failure the socket or the certificate check names is kept for dialFailure (node's TLS check
   * is made here, so that the certificate is kept for the hint).
   */
  private async dial(endpoint: string, by: number): Promise<Channel> {
    const target = endpointAddress(endpoint);
    if (!target) throw new DialError(`cannot dial ${endpoint}: not host:port`);
    const tlsOptions = this.tlsOptions(endpoint);
    const verify = tlsOptions && tlsOptions.rejectUnauthorized !== false;
    let socket: ByteStream;
    if (tlsOptions) {
      const [tls, { isIP }] = await Promise.all([import('node:tls'), import('node:net')]);
      const servername = isIP(target.host) ? undefined : target.host;
      socket = tls.connect({ ...tlsOptions, servername, rejectUnauthorized: false, host: target.host, port: target.port });
    } else {
      socket = await connectTcp(target.host, target.port, this.transport.nodeNet);
    }
    socket.setNoDelay(true);
    const failure = (code: string, peerCertificate?: TransportFailure['peerCertificate']): TransportFailure => ({
      address: target.address,
      code,
      tls: Boolean(tlsOptions),
      ...(tlsOptions && { clientCertificate: Boolean(tlsOptions.cert), peerCertificate }),
    });
    let peerCertificate: TransportFailure['peerCertificate'];
    let http2: Http2ClientConnection | undefined;
    await new Promise<void>((resolve, reject) => {
      const cancelTimer = by === Infinity ? undefined : deadlineTimer(by - Date.now(), () => fail(new DialError('dial timeout')));
      const onAbort = () => fail(new DialError('client closed'));
      this.closing.listen(onAbort);
      const cleanup = () => {
        cancelTimer?.();
        this.closing.unlisten(onAbort);
        socket.off('error', onError);
      };
      let settled = false;
      const fail = (error: Error, why?: TransportFailure) => {
        if (settled) return;
        settled = true;
        cleanup();
        // an error the socket reports while closing is no one's to hear now, and must not go unheard (a throw)
        socket.on('error', () => undefined);
        socket.destroy();
        if (why) this.dialFailures.set(endpoint, why);
        reject(error);
      };
      const onError = (error: NodeJS.ErrnoException) => fail(new DialError(error.message), error.code ? failure(error.code, peerCertificate) : undefined);
      socket.once('error', onError);
      socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
        if (tlsOptions) {
          const secure = socket as tls.TLSSocket;
          peerCertificate = describeCertificate(secure.getPeerCertificate());
          // node's own check (chain, then the name), as rejectUnauthorized would have made it
          if (verify && !secure.authorized) {
            const code = String(secure.authorizationError);
            return fail(new DialError(`certificate check failed: ${code}`), failure(code, peerCertificate));
          }
        }
        // Not done before the server's SETTINGS: a TLS alert about our certificate, or a TLS port spoken to in
        // plaintext, fails the dial (retried until --dial-timeout), not the call.
        http2 = new Http2ClientConnection(socket);
        http2.established.then(
          () => {
            if (settled) return;
            settled = true;
            cleanup();
            resolve();
          },
          (error: NodeJS.ErrnoException) => onError(error),
        );
      });
      if (this.closing.fired) onAbort();
    });
    this.dialFailures.delete(endpoint);
    // calls still on the old connection (draining after a GOAWAY) finish there
    this.channels.get(endpoint)?.http2.retire();
    const channel: Channel = { endpoint, http2: http2!, authority: target.address, scheme: tlsOptions ? 'https' : 'http' };
    this.channels.set(endpoint, channel);
    return channel;
  }

  /**
   * TLS as etcd3's pool sets it up: with certificate files, for an https:// endpoint, for one without a scheme
   * unless --insecure-transport (and no files), and whenever --insecure-skip-tls-verify applies.
   */
  private tlsOptions(endpoint: string): tls.ConnectionOptions | undefined {
    const { tls: files, insecureTransport, insecureSkipVerify } = this.config;
    const withFiles = Boolean(files?.caFile || files?.certFile);
    const secure = Boolean(files?.caFile || files?.certFile || files?.keyFile) || !insecureTransport;
    const https = /^https:\/\//.test(endpoint) || (secure && !/^https?:\/\//.test(endpoint));
    const skipVerify = insecureSkipVerify && (Boolean(files) || !insecureTransport);
    if (!withFiles && !https && !skipVerify) return undefined;
    this.tlsFiles ??= {
      ca: withFiles && files?.caFile ? readFileSync(files.caFile) : undefined,
      cert: withFiles && files?.certFile ? readFileSync(files.certFile) : undefined,
      key: withFiles && files?.keyFile ? readFileSync(files.keyFile) : undefined,
    };
    return {
      ...this.tlsFiles,
      ALPNProtocols: ['h2'],
      ...(skipVerify && { rejectUnauthorized: false, checkServerIdentity: () => undefined }),
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const closing = this.closing;
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        closing.unlisten(done);
        resolve();
      }
      closing.listen(done);
    });
  }
}

/**
 * What close() tells the calls still waiting, each with its own listener. Not an AbortController: Node's
 * EventTarget is some thirty functions compiled on first use, a measurable part of a short command's start-up.
 */
class ClosingSignal {
  fired = false;
  private readonly listeners = new Set<() => void>();

  listen(listener: () => void): void {
    this.listeners.add(listener);
  }

  unlisten(listener: () => void): void {
    this.listeners.delete(listener);
  }

  fire(): void {
    if (this.fired) return;
    this.fired = true;
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
  }
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
