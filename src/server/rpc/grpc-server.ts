import net from 'node:net';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { EtcdServer } from '../server.js';
import { authService, clusterService, maintenanceService } from './maintenance-service.js';
import { kvService } from './kv-service.js';
import { leaseService } from './lease-service.js';
import { watchService } from './watch-service.js';
import { acceptConnection } from './authority-fix.js';
import { decodeDeleteRangeRequest, decodePutRequest, decodeRangeRequest, decodeTxnRequest, HeaderEncoder, KvEncoder } from './kv-codec.js';
import { ProtoReader } from './proto-codec.js';
import { WatchEncoder } from './watch-codec.js';

// The gRPC edge: etcd's rpc.proto services on grpc-js, fed by our own TCP listeners so that
// connections whose :authority carries a scheme can be repaired before Node's HTTP/2 sees them.

/** etcd lets gRPC messages exceed --max-request-bytes by this much (envelope overhead). */
const GRPC_OVERHEAD_BYTES = 512 * 1024;
const SHUTDOWN_GRACE_MS = 1000;

type MethodDefinition = grpc.MethodDefinition<unknown, unknown>;
type ServiceDefinition = Record<string, MethodDefinition>;
type ServiceName = 'KV' | 'Watch' | 'Lease' | 'Cluster' | 'Maintenance' | 'Auth';

/** rpc.proto's services, with hand-written codecs on the hot methods (proto-loader for the rest). */
function loadServices(server: EtcdServer): Record<ServiceName, ServiceDefinition> {
  const require = createRequire(import.meta.url);
  const protoPath = require.resolve('etcd3/proto/rpc.proto');
  const definition = protoLoader.loadSync(protoPath, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  }) as unknown as Record<string, ServiceDefinition>;
  const service = (name: ServiceName) => ({ ...definition[`etcdserverpb.${name}`] });
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
  const fast = <Req, Res>(method: MethodDefinition, decode: ((r: ProtoReader) => Req) | null, encode: (res: Res) => Buffer) => ({
    ...method,
    requestDeserialize: decode ? (bytes: Buffer) => decode(new ProtoReader(bytes)) : method.requestDeserialize,
    responseSerialize: encode,
  }) as MethodDefinition;
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
}

export interface GrpcEdge {
  addresses: ListeningAddress[];
  close(): Promise<void>;
}

export async function startGrpc(server: EtcdServer, listen: ListeningAddress[]): Promise<GrpcEdge> {
  const services = loadServices(server);
  const grpcServer = new grpc.Server({
    'grpc.max_receive_message_length': server.config.maxRequestBytes + GRPC_OVERHEAD_BYTES,
    'grpc.max_send_message_length': 2 ** 31 - 1,
    // etcdctl and Go clients ping eagerly; etcd permits that, so must we
    'grpc.http2.min_ping_interval_without_data_ms': 1000,
    'grpc.http2.max_ping_strikes': 0,
    'grpc.max_concurrent_streams': 2 ** 31 - 1,
  } as grpc.ServerOptions);
  grpcServer.addService(services.KV, kvService(server) as grpc.UntypedServiceImplementation);
  grpcServer.addService(services.Watch, watchService(server) as grpc.UntypedServiceImplementation);
  grpcServer.addService(services.Lease, leaseService(server) as grpc.UntypedServiceImplementation);
  grpcServer.addService(services.Cluster, clusterService(server) as grpc.UntypedServiceImplementation);
  grpcServer.addService(services.Maintenance, maintenanceService(server) as grpc.UntypedServiceImplementation);
  grpcServer.addService(services.Auth, authService(server) as grpc.UntypedServiceImplementation);
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());

  const sockets = new Set<net.Socket>();
  const listeners: net.Server[] = [];
  const addresses: ListeningAddress[] = [];
  for (const { host, port } of listen) {
    const listener = net.createServer({ noDelay: true }, (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      acceptConnection(socket, (conn) => injector.injectConnection(conn));
    });
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, host, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    const bound = listener.address() as net.AddressInfo;
    addresses.push({ host, port: bound.port });
    listeners.push(listener);
  }

  return {
    addresses,
    async close() {
      await Promise.all(listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
      // finish calls in flight, but do not wait for idle clients to hang up
      injector.drain(SHUTDOWN_GRACE_MS);
      await Promise.race([
        new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve())),
        new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref()),
      ]);
      grpcServer.forceShutdown();
      injector.destroy();
      for (const s of sockets) s.destroy();
    },
  };
}
