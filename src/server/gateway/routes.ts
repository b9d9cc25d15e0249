import type protobuf from 'protobufjs/light.js';
import { protoRoot } from '../../api/proto.js';

// The gateway's paths, as etcd 3.4.23 registers them (rpc.proto's google.api.http options): all POST,
// with 3.4's lease aliases under /v3/kv/lease/. 3.4 maps both Hash and HashKV to /v3/maintenance/hash,
// and Hash answers there; HashKV gets 3.5's /v3/maintenance/hashkv.

const PATHS: [path: string, service: string, method: string][] = [
  ['/v3/kv/range', 'KV', 'Range'],
  ['/v3/kv/put', 'KV', 'Put'],
  ['/v3/kv/deleterange', 'KV', 'DeleteRange'],
  ['/v3/kv/txn', 'KV', 'Txn'],
  ['/v3/kv/compaction', 'KV', 'Compact'],
  ['/v3/watch', 'Watch', 'Watch'],
  ['/v3/lease/grant', 'Lease', 'LeaseGrant'],
  ['/v3/lease/revoke', 'Lease', 'LeaseRevoke'],
  ['/v3/kv/lease/revoke', 'Lease', 'LeaseRevoke'],
  ['/v3/lease/keepalive', 'Lease', 'LeaseKeepAlive'],
  ['/v3/lease/timetolive', 'Lease', 'LeaseTimeToLive'],
  ['/v3/kv/lease/timetolive', 'Lease', 'LeaseTimeToLive'],
  ['/v3/lease/leases', 'Lease', 'LeaseLeases'],
  ['/v3/kv/lease/leases', 'Lease', 'LeaseLeases'],
  ['/v3/cluster/member/add', 'Cluster', 'MemberAdd'],
  ['/v3/cluster/member/remove', 'Cluster', 'MemberRemove'],
  ['/v3/cluster/member/update', 'Cluster', 'MemberUpdate'],
  ['/v3/cluster/member/list', 'Cluster', 'MemberList'],
  ['/v3/cluster/member/promote', 'Cluster', 'MemberPromote'],
  ['/v3/maintenance/alarm', 'Maintenance', 'Alarm'],
  ['/v3/maintenance/status', 'Maintenance', 'Status'],
  ['/v3/maintenance/defragment', 'Maintenance', 'Defragment'],
  ['/v3/maintenance/hash', 'Maintenance', 'Hash'],
  ['/v3/maintenance/hashkv', 'Maintenance', 'HashKV'],
  ['/v3/maintenance/snapshot', 'Maintenance', 'Snapshot'],
  ['/v3/maintenance/transfer-leadership', 'Maintenance', 'MoveLeader'],
  ['/v3/auth/enable', 'Auth', 'AuthEnable'],
  ['/v3/auth/disable', 'Auth', 'AuthDisable'],
  ['/v3/auth/authenticate', 'Auth', 'Authenticate'],
  ['/v3/auth/user/add', 'Auth', 'UserAdd'],
  ['/v3/auth/user/get', 'Auth', 'UserGet'],
  ['/v3/auth/user/list', 'Auth', 'UserList'],
  ['/v3/auth/user/delete', 'Auth', 'UserDelete'],
  ['/v3/auth/user/changepw', 'Auth', 'UserChangePassword'],
  ['/v3/auth/user/grant', 'Auth', 'UserGrantRole'],
  ['/v3/auth/user/revoke', 'Auth', 'UserRevokeRole'],
  ['/v3/auth/role/add', 'Auth', 'RoleAdd'],
  ['/v3/auth/role/get', 'Auth', 'RoleGet'],
  ['/v3/auth/role/list', 'Auth', 'RoleList'],
  ['/v3/auth/role/delete', 'Auth', 'RoleDelete'],
  ['/v3/auth/role/grant', 'Auth', 'RoleGrantPermission'],
  ['/v3/auth/role/revoke', 'Auth', 'RoleRevokePermission'],
];

export interface GatewayRoute {
  /** The gRPC method's path, `/etcdserverpb.KV/Range`. */
  grpcPath: string;
  requestType: protobuf.Type;
  responseType: protobuf.Type;
  clientStreaming: boolean;
  serverStreaming: boolean;
}

let routes: Map<string, GatewayRoute> | undefined;

export function gatewayRoutes(): Map<string, GatewayRoute> {
  if (routes) return routes;
  routes = new Map();
  const root = protoRoot();
  for (const [path, service, name] of PATHS) {
    const method = root.lookupService(`etcdserverpb.${service}`).methods[name]!;
    routes.set(path, {
      grpcPath: `/etcdserverpb.${service}/${name}`,
      requestType: method.resolvedRequestType!,
      responseType: method.resolvedResponseType!,
      clientStreaming: Boolean(method.requestStream),
      serverStreaming: Boolean(method.responseStream),
    });
  }
  return routes;
}
