import http from 'node:http';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { etcdPackageDefinition } from '../../api/grpc-package-definition.js';
import { protoRoot } from '../../api/proto.js';
import type { EtcdServer } from '../server.js';
import { authService } from './auth-service.js';
import { clusterService, maintenanceService } from './maintenance-service.js';
import { kvService } from './kv-service.js';
import { leaseService } from './lease-service.js';
import { watchService } from './watch-service.js';
import { acceptConnection, httpServer } from './accept-connection.js';
import { httpPages } from '../gateway/http-pages.js';
import type { ClientTlsConfig, ServerConfig } from '../config.js';
import { DEFAULT_KEEPALIVE, type KeepaliveOptions } from './http2-connection.js';
import { PLAINTEXT_PEER, TlsTerminator, type ConnectionPeer, type TlsLog } from './tls-terminator.js';
import { GrpcEdgeServer, type MethodDefinition, type StreamImpl, type UnaryImpl } from './grpc-edge.js';
import { decodeDeleteRangeRequest, decodePutRequest, decodeRangeRequest, decodeTxnRequest, HeaderEncoder, KvEncoder } from './kv-codec.js';
import { ProtoReader } from './proto-codec.js';
import { WatchEncoder } from './watch-codec.js';
import { checkWireFormat, specFromSchema, type MessageSpec } from './wire-check.js';

// The gRPC edge: etcd's rpc.proto services on our small gRPC server (grpc-edge.ts), fed by our own
// TCP listeners, which also answer etcd's HTTP/1 pages on the same port (accept-connection.ts).
// An https URL's listener first runs the TLS handshake (tls-terminator.ts); an address given as
// both http and https tells the two apart by the first byte (a TLS handshake record is 0x16), as
// etcd's cmux serves both on one port.

/** etcd lets gRPC messages exceed --max-request-bytes by this much (envelope overhead). */
const GRPC_OVERHEAD_BYTES = 512 * 1024;
const SHUTDOWN_GRACE_MS = 1000;

type ServiceDefinition = Record<string, MethodDefinition>;
type ServiceName = 'KV' | 'Watch' | 'Lease' | 'Cluster' | 'Maintenance' | 'Auth';

/** An etcd request decoder that first refuses what etcd's generated Unmarshal refuses. */
function checkedDeserialize(method: MethodDefinition, spec: MessageSpec): MethodDefinition['requestDeserialize'] {
  return (bytes) => {
    checkWireFormat(spec, bytes);
    return method.requestDeserialize(bytes);
  };
}

/** rpc.proto's services, with hand-written codecs on the hot methods (the schema's reflection, behind a wire check, for the rest). */
function loadServices(server: EtcdServer): Record<ServiceName, ServiceDefinition> {
  const definition = etcdPackageDefinition({ longs: String, enums: String, defaults: true, oneofs: true }) as unknown as Record<
    string,
    ServiceDefinition
  >;
  const root = protoRoot();
  const service = (name: ServiceName): ServiceDefinition => {
    const methods = root.lookupService(`etcdserverpb.${name}`).methods;
    return Object.fromEntries(
      Object.entries(definition[`etcdserverpb.${name}`]).map(([methodName, method]) => [
        methodName,
        { ...method, requestDeserialize: checkedDeserialize(method, specFromSchema(methods[methodName].resolvedRequestType!)) },
      ]),
    );
  };
  const services = {
    KV: service('KV'),
    Watch: service('Watch'),
    Lease: service('Lease'),
    Cluster: service('Cluster'),
    Maintenance: service('Maintenance'),
    Auth: service('Auth'),
  };
  const header = new HeaderEncoder(server.clusterId, server.memberId, server.raftTerm);
  const kv = new KvEncoder(header);
  const fast = <Req, Res>(method: MethodDefinition, decode: ((r: ProtoReader) => Req) | null, encode: (res: Res) => Buffer): MethodDefinition => ({
    ...method,
    requestDeserialize: decode ? (bytes: Buffer) => decode(new ProtoReader(bytes)) : method.requestDeserialize,
    responseSerialize: encode as (message: unknown) => Buffer,
  });
  services.KV.Range = fast(services.KV.Range, (r) => decodeRangeRequest(r), kv.range);
  services.KV.Put = fast(services.KV.Put, (r) => decodePutRequest(r), kv.put);
  services.KV.DeleteRange = fast(services.KV.DeleteRange, (r) => decodeDeleteRangeRequest(r), kv.deleteRange);
  services.KV.Txn = fast(services.KV.Txn, (r) => decodeTxnRequest(r), kv.txn);
  services.Watch.Watch = fast(services.Watch.Watch, null, new WatchEncoder(header).response);
  return services;
}

export interface ListeningAddress {
  host: string;
  port: number;
  /** Serves TLS (an https URL); with `insecure` too, both on the same port. Plaintext when neither is set. */
  secure?: boolean;
  insecure?: boolean;
}

/** The first byte of a TLS ClientHello (a handshake record). */
const TLS_HANDSHAKE_RECORD = 0x16;

/** Hands the socket over once its first bytes say whether the client starts a TLS handshake. */
function byFirstByte(socket: net.Socket, tlsSide: (conn: Duplex) => void, plainSide: (conn: net.Socket) => void): void {
  const onData = (head: Buffer) => {
    socket.off('data', onData);
    socket.pause();
    if (head[0] !== TLS_HANDSHAKE_RECORD) {
      socket.unshift(head);
      plainSide(socket);
      socket.resume();
      return;
    }
    // A TLS socket reads from the native handle, past anything unshifted: give it a stream that
    // replays the bytes already read.
    const conn = new Duplex({
      read: () => void socket.resume(),
      write: (chunk, _encoding, done) => void socket.write(chunk, done),
      final: (done) => void socket.end(done),
      destroy: (err, done) => {
        socket.destroy(err ?? undefined);
        done(err);
      },
    });
    conn.push(head);
    socket.on('data', (chunk: Buffer) => {
      if (!conn.push(chunk)) socket.pause();
    });
    socket.on('end', () => conn.push(null));
    socket.on('close', () => conn.destroy());
    tlsSide(conn);
  };
  socket.on('data', onData);
}

export interface GrpcEdge {
  addresses: ListeningAddress[];
  /** Where --listen-metrics-urls listen (ports bound). */
  metricsAddresses: ListeningAddress[];
  close(): Promise<void>;
}

type Implementation = Record<string, UnaryImpl | StreamImpl>;

export interface TlsOptions {
  config: ClientTlsConfig;
  log: TlsLog;
}

/** grpc-go's ping enforcement when etcd sets none (--grpc-keepalive-min-time=0). */
const GRPC_DEFAULT_MIN_PING_MS = 5 * 60 * 1000;

/**
 * etcd's rule (embed/etcd.go): the enforcement policy only for a min-time above 0, the keepalive
 * parameters only when both interval and timeout are above 0; otherwise grpc-go's defaults.
 */
function keepaliveOptions(config: ServerConfig): KeepaliveOptions {
  const { grpcKeepaliveMinTimeMs: minTime, grpcKeepaliveIntervalMs: interval, grpcKeepaliveTimeoutMs: timeout } = config;
  const params = interval > 0 && timeout > 0 ? { intervalMs: interval, timeoutMs: timeout } : DEFAULT_KEEPALIVE;
  return { intervalMs: params.intervalMs, timeoutMs: params.timeoutMs, minTimeMs: minTime > 0 ? minTime : GRPC_DEFAULT_MIN_PING_MS };
}

/** What etcd serves on --listen-metrics-urls: the metrics and the health checks, nothing else. */
const METRICS_URL_PATHS = /^\/(metrics|health|livez|readyz)(\/|\?|$)/;

export async function startGrpc(server: EtcdServer, listen: ListeningAddress[], tlsOptions?: TlsOptions, metricsListen: ListeningAddress[] = []): Promise<GrpcEdge> {
  const services = loadServices(server);
  const grpcServer = new GrpcEdgeServer({
    maxReceiveMessageBytes: server.config.maxRequestBytes + GRPC_OVERHEAD_BYTES,
    maxConcurrentStreams: server.config.maxConcurrentStreams,
    keepalive: keepaliveOptions(server.config),
  });
  grpcServer.addService(services.KV, kvService(server) as Implementation);
  grpcServer.addService(services.Watch, watchService(server) as Implementation);
  grpcServer.addService(services.Lease, leaseService(server) as Implementation);
  grpcServer.addService(services.Cluster, clusterService(server) as Implementation);
  grpcServer.addService(services.Maintenance, maintenanceService(server) as Implementation);
  grpcServer.addService(services.Auth, authService(server) as Implementation);

  const pages = httpServer(httpPages(server, grpcServer, { enablePprof: server.config.enablePprof }));
  const serve = (socket: net.Socket, peer: ConnectionPeer) =>
    acceptConnection(socket, (conn, head) => grpcServer.serveConnection(conn, head, peer), pages);
  const terminator = listen.some((l) => l.secure) ? new TlsTerminator(tlsOptions!.config, tlsOptions!.log, serve) : null;
  const sockets = new Set<net.Socket>();
  const listeners: net.Server[] = [];
  const addresses: ListeningAddress[] = [];
  for (const { host, port, secure, insecure } of listen) {
    const listener = net.createServer({ noDelay: true }, (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      const remote = `${socket.remoteAddress}:${socket.remotePort}`;
      if (!secure) serve(socket, PLAINTEXT_PEER);
      else if (!insecure) terminator!.accept(socket, remote);
      else byFirstByte(socket, (conn) => terminator!.accept(conn, remote), (conn) => serve(conn, PLAINTEXT_PEER));
    });
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, host, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    const bound = listener.address() as net.AddressInfo;
    addresses.push({ host, port: bound.port, secure, insecure });
    listeners.push(listener);
  }
  const metricsAddresses: ListeningAddress[] = [];
  const metricsListeners: net.Server[] = [];
  const metricsPages = http.createServer((req, res) => {
    if (METRICS_URL_PATHS.test(req.url ?? '')) pages.emit('request', req, res);
    else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
    }
  });
  // as etcd's serveMetrics: an https metrics URL is served with the client TLS settings
  const servePage = (conn: Duplex) => void metricsPages.emit('connection', conn);
  const metricsTls = metricsListen.some((l) => l.secure) ? new TlsTerminator(tlsOptions!.config, tlsOptions!.log, servePage) : null;
  for (const { host, port, secure } of metricsListen) {
    const listener = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      if (secure) metricsTls!.accept(socket, `${socket.remoteAddress}:${socket.remotePort}`);
      else servePage(socket);
    });
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, host, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    metricsAddresses.push({ host, port: (listener.address() as net.AddressInfo).port, secure, insecure: !secure });
    metricsListeners.push(listener);
  }

  return {
    addresses,
    metricsAddresses,
    async close() {
      metricsPages.closeAllConnections();
      await Promise.all([...listeners, ...metricsListeners].map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
      // finish calls in flight, but do not wait for idle clients to hang up
      await grpcServer.close(SHUTDOWN_GRACE_MS);
      for (const s of sockets) s.destroy();
    },
  };
}
