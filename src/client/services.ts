// etcd's gRPC services as typed clients, one method per RPC, named as in etcd's rpc.proto in lowerCamelCase
// (`HashKV` → `hashKV`), so a misspelt RPC or a wrong request shape does not compile.
import type {
  AlarmRequestInit,
  DowngradeRequestInit,
  DowngradeResponse,
  AlarmResponse,
  AuthDisableRequestInit,
  AuthDisableResponse,
  AuthEnableRequestInit,
  AuthEnableResponse,
  AuthRoleAddRequestInit,
  AuthRoleAddResponse,
  AuthRoleDeleteRequestInit,
  AuthRoleDeleteResponse,
  AuthRoleGetRequestInit,
  AuthRoleGetResponse,
  AuthRoleGrantPermissionRequestInit,
  AuthRoleGrantPermissionResponse,
  AuthRoleListRequestInit,
  AuthRoleListResponse,
  AuthRoleRevokePermissionRequestInit,
  AuthRoleRevokePermissionResponse,
  AuthStatusRequestInit,
  AuthStatusResponse,
  AuthUserAddRequestInit,
  AuthUserAddResponse,
  AuthUserChangePasswordRequestInit,
  AuthUserChangePasswordResponse,
  AuthUserDeleteRequestInit,
  AuthUserDeleteResponse,
  AuthUserGetRequestInit,
  AuthUserGetResponse,
  AuthUserGrantRoleRequestInit,
  AuthUserGrantRoleResponse,
  AuthUserListRequestInit,
  AuthUserListResponse,
  AuthUserRevokeRoleRequestInit,
  AuthUserRevokeRoleResponse,
  CompactionRequestInit,
  CompactionResponse,
  DefragmentRequestInit,
  DefragmentResponse,
  DeleteRangeRequestInit,
  DeleteRangeResponse,
  HashKVRequestInit,
  HashKVResponse,
  LeaseGrantRequestInit,
  LeaseGrantResponse,
  LeaseKeepAliveRequestInit,
  LeaseKeepAliveResponse,
  LeaseLeasesRequestInit,
  LeaseLeasesResponse,
  LeaseRevokeRequestInit,
  LeaseRevokeResponse,
  LeaseTimeToLiveRequestInit,
  LeaseTimeToLiveResponse,
  MemberAddRequestInit,
  MemberAddResponse,
  MemberListRequestInit,
  MemberListResponse,
  MemberPromoteRequestInit,
  MemberPromoteResponse,
  MemberRemoveRequestInit,
  MemberRemoveResponse,
  MemberUpdateRequestInit,
  MemberUpdateResponse,
  MoveLeaderRequestInit,
  MoveLeaderResponse,
  PutRequestInit,
  PutResponse,
  RangeRequestInit,
  RangeResponse,
  SnapshotRequestInit,
  SnapshotResponse,
  StatusRequestInit,
  StatusResponse,
  TxnRequestInit,
  TxnResponse,
  WatchRequestInit,
  WatchResponse,
} from '../api/wire-types.generated.js';

export interface CallOptions {
  /** Deadline for the whole call, retries and failover included; undefined waits as long as it takes. */
  timeoutMs?: number;
}

/** A bidirectional or server stream on one endpoint (watch, keep-alive, snapshot). */
export interface GrpcStream<Req, Res> extends AsyncIterable<Res> {
  write(request: Req): void;
  end(): void;
  cancel(): void;
  readonly endpoint: string;
}

type Unary<Req, Res> = (request: Req, opts?: CallOptions) => Promise<Res>;

export interface KVService {
  range: Unary<RangeRequestInit, RangeResponse>;
  put: Unary<PutRequestInit, PutResponse>;
  deleteRange: Unary<DeleteRangeRequestInit, DeleteRangeResponse>;
  txn: Unary<TxnRequestInit, TxnResponse>;
  compact: Unary<CompactionRequestInit, CompactionResponse>;
}

export interface WatchService {
  watch(): Promise<GrpcStream<WatchRequestInit, WatchResponse>>;
}

export interface LeaseService {
  leaseGrant: Unary<LeaseGrantRequestInit, LeaseGrantResponse>;
  leaseRevoke: Unary<LeaseRevokeRequestInit, LeaseRevokeResponse>;
  leaseTimeToLive: Unary<LeaseTimeToLiveRequestInit, LeaseTimeToLiveResponse>;
  leaseLeases: Unary<LeaseLeasesRequestInit, LeaseLeasesResponse>;
  leaseKeepAlive(): Promise<GrpcStream<LeaseKeepAliveRequestInit, LeaseKeepAliveResponse>>;
}

export interface ClusterService {
  memberAdd: Unary<MemberAddRequestInit, MemberAddResponse>;
  memberRemove: Unary<MemberRemoveRequestInit, MemberRemoveResponse>;
  memberUpdate: Unary<MemberUpdateRequestInit, MemberUpdateResponse>;
  memberList: Unary<MemberListRequestInit, MemberListResponse>;
  memberPromote: Unary<MemberPromoteRequestInit, MemberPromoteResponse>;
}

export interface MaintenanceService {
  alarm: Unary<AlarmRequestInit, AlarmResponse>;
  status: Unary<StatusRequestInit, StatusResponse>;
  defragment: Unary<DefragmentRequestInit, DefragmentResponse>;
  hashKV: Unary<HashKVRequestInit, HashKVResponse>;
  moveLeader: Unary<MoveLeaderRequestInit, MoveLeaderResponse>;
  /** etcd 3.5's Downgrade (etcd 3.4 answers Unimplemented: it has no such method). */
  downgrade: Unary<DowngradeRequestInit, DowngradeResponse>;
  snapshot(request: SnapshotRequestInit): Promise<GrpcStream<never, SnapshotResponse>>;
}

export interface AuthService {
  authEnable: Unary<AuthEnableRequestInit, AuthEnableResponse>;
  authDisable: Unary<AuthDisableRequestInit, AuthDisableResponse>;
  authStatus: Unary<AuthStatusRequestInit, AuthStatusResponse>;
  userAdd: Unary<AuthUserAddRequestInit, AuthUserAddResponse>;
  userGet: Unary<AuthUserGetRequestInit, AuthUserGetResponse>;
  userList: Unary<AuthUserListRequestInit, AuthUserListResponse>;
  userDelete: Unary<AuthUserDeleteRequestInit, AuthUserDeleteResponse>;
  userChangePassword: Unary<AuthUserChangePasswordRequestInit, AuthUserChangePasswordResponse>;
  userGrantRole: Unary<AuthUserGrantRoleRequestInit, AuthUserGrantRoleResponse>;
  userRevokeRole: Unary<AuthUserRevokeRoleRequestInit, AuthUserRevokeRoleResponse>;
  roleAdd: Unary<AuthRoleAddRequestInit, AuthRoleAddResponse>;
  roleGet: Unary<AuthRoleGetRequestInit, AuthRoleGetResponse>;
  roleList: Unary<AuthRoleListRequestInit, AuthRoleListResponse>;
  roleDelete: Unary<AuthRoleDeleteRequestInit, AuthRoleDeleteResponse>;
  roleGrantPermission: Unary<AuthRoleGrantPermissionRequestInit, AuthRoleGrantPermissionResponse>;
  roleRevokePermission: Unary<AuthRoleRevokePermissionRequestInit, AuthRoleRevokePermissionResponse>;
}

export interface EtcdServices {
  KV: KVService;
  Watch: WatchService;
  Lease: LeaseService;
  Cluster: ClusterService;
  Maintenance: MaintenanceService;
  Auth: AuthService;
}

export type ServiceName = keyof EtcdServices;
