// Which typed method is which RPC, for adapters that call a generated client by RPC name. The lists are
// checked against the service interfaces at compile time and against etcd's schema by a unit test.
import type { EtcdServices, GrpcStream, ServiceName } from './services.js';

type BidiStreamNames<S> = { [K in keyof S]: S[K] extends () => Promise<GrpcStream<never, unknown>> ? K : never }[keyof S];
type ServerStreamNames<S> = Exclude<{ [K in keyof S]: S[K] extends (request: never) => Promise<GrpcStream<never, unknown>> ? K : never }[keyof S], BidiStreamNames<S>>;
type UnaryMethodNames<S> = Exclude<keyof S, BidiStreamNames<S> | ServerStreamNames<S>>;
type IsComplete<Names, List extends readonly unknown[]> = [Exclude<Names, List[number]>, Exclude<List[number], Names>] extends [never, never] ? true : false;
type Assert<T extends true> = T;

export const UNARY_METHODS = {
  KV: ['range', 'put', 'deleteRange', 'txn', 'compact'],
  Watch: [],
  Lease: ['leaseGrant', 'leaseRevoke', 'leaseTimeToLive', 'leaseLeases'],
  Cluster: ['memberAdd', 'memberRemove', 'memberUpdate', 'memberList', 'memberPromote'],
  Maintenance: ['alarm', 'status', 'defragment', 'hashKV', 'moveLeader', 'downgrade'],
  Auth: [
    'authEnable',
    'authDisable',
    'authStatus',
    'userAdd',
    'userGet',
    'userList',
    'userDelete',
    'userChangePassword',
    'userGrantRole',
    'userRevokeRole',
    'roleAdd',
    'roleGet',
    'roleList',
    'roleDelete',
    'roleGrantPermission',
    'roleRevokePermission',
  ],
} as const satisfies { [S in ServiceName]: readonly UnaryMethodNames<EtcdServices[S]>[] };

/**
 * The unary calls clientv3 marks repeatable (clientv3/retry.go, withRetryPolicy(repeatable)): reads and calls that
 * are safe to repeat, tried again on Unavailable. Every other unary call is clientv3's nonRepeatable.
 */
export const REPEATABLE_METHODS = {
  KV: ['range'],
  Watch: [],
  Lease: ['leaseGrant', 'leaseRevoke', 'leaseTimeToLive', 'leaseLeases'],
  Cluster: ['memberList'],
  Maintenance: ['alarm', 'status', 'hashKV', 'moveLeader'],
  Auth: ['authStatus', 'userGet', 'userList', 'roleGet', 'roleList'],
} as const satisfies { [S in ServiceName]: readonly (typeof UNARY_METHODS)[S][number][] };

/** Bidirectional streams: opened without a request, written to later. */
export const BIDI_STREAM_METHODS = {
  KV: [],
  Watch: ['watch'],
  Lease: ['leaseKeepAlive'],
  Cluster: [],
  Maintenance: [],
  Auth: [],
} as const satisfies { [S in ServiceName]: readonly BidiStreamNames<EtcdServices[S]>[] };

/** Server streams: one request, then a stream of responses. */
export const SERVER_STREAM_METHODS = {
  KV: [],
  Watch: [],
  Lease: [],
  Cluster: [],
  Maintenance: ['snapshot'],
  Auth: [],
} as const satisfies { [S in ServiceName]: readonly ServerStreamNames<EtcdServices[S]>[] };

// Compile-time completeness: a method added to a service interface must be listed above.
export type MethodTablesComplete = Assert<
  {
    [S in ServiceName]: IsComplete<UnaryMethodNames<EtcdServices[S]>, (typeof UNARY_METHODS)[S]> extends true
      ? IsComplete<BidiStreamNames<EtcdServices[S]>, (typeof BIDI_STREAM_METHODS)[S]> extends true
        ? IsComplete<ServerStreamNames<EtcdServices[S]>, (typeof SERVER_STREAM_METHODS)[S]>
        : false
      : false;
  }[ServiceName]
>;

/** etcd's RPC name for a typed method: `hashKV` → `HashKV`, `memberList` → `MemberList`. */
export const rpcName = (method: string): string => method.charAt(0).toUpperCase() + method.slice(1);
