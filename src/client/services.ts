// etcd's gRPC services as typed clients, one method per RPC, named as in etcd's rpc.proto in lowerCamelCase
// (`HashKV` → `hashKV`), so a misspelt RPC or a wrong request shape does not compile.
import type {
  IAlarmRequest,
  IAlarmResponse,
  IAuthDisableResponse,
  IAuthEnableResponse,
  IAuthRoleAddRequest,
  IAuthRoleAddResponse,
  IAuthRoleDeleteRequest,
  IAuthRoleDeleteResponse,
  IAuthRoleGetRequest,
  IAuthRoleGetResponse,
  IAuthRoleGrantPermissionRequest,
  IAuthRoleGrantPermissionResponse,
  IAuthRoleListResponse,
  IAuthRoleRevokePermissionRequest,
  IAuthRoleRevokePermissionResponse,
  IAuthStatusResponse,
  IAuthUserAddRequest,
  IAuthUserAddResponse,
  IAuthUserChangePasswordRequest,
  IAuthUserChangePasswordResponse,
  IAuthUserDeleteRequest,
  IAuthUserDeleteResponse,
  IAuthUserGetRequest,
  IAuthUserGetResponse,
  IAuthUserGrantRoleRequest,
  IAuthUserGrantRoleResponse,
  IAuthUserListResponse,
  IAuthUserRevokeRoleRequest,
  IAuthUserRevokeRoleResponse,
  ICompactionRequest,
  ICompactionResponse,
  IDefragmentResponse,
  IDeleteRangeRequest,
  IDeleteRangeResponse,
  IHashKVRequest,
  IHashKVResponse,
  ILeaseGrantRequest,
  ILeaseGrantResponse,
  ILeaseKeepAliveRequest,
  ILeaseKeepAliveResponse,
  ILeaseLeasesResponse,
  ILeaseRevokeRequest,
  ILeaseRevokeResponse,
  ILeaseTimeToLiveRequest,
  ILeaseTimeToLiveResponse,
  IMemberAddRequest,
  IMemberAddResponse,
  IMemberListResponse,
  IMemberPromoteRequest,
  IMemberPromoteResponse,
  IMemberRemoveRequest,
  IMemberRemoveResponse,
  IMemberUpdateRequest,
  IMemberUpdateResponse,
  IMoveLeaderRequest,
  IMoveLeaderResponse,
  IPutRequest,
  IPutResponse,
  IRangeRequest,
  IRangeResponse,
  ISnapshotResponse,
  IStatusResponse,
  ITxnRequest,
  ITxnResponse,
  IWatchRequest,
  IWatchResponse,
} from 'etcd3';

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
/** An RPC whose request message has no fields. */
type Empty = Record<string, never>;

export interface KVService {
  range: Unary<IRangeRequest, IRangeResponse>;
  put: Unary<IPutRequest, IPutResponse>;
  deleteRange: Unary<IDeleteRangeRequest, IDeleteRangeResponse>;
  txn: Unary<ITxnRequest, ITxnResponse>;
  compact: Unary<ICompactionRequest, ICompactionResponse>;
}

export interface WatchService {
  watch(): Promise<GrpcStream<IWatchRequest, IWatchResponse>>;
}

export interface LeaseService {
  leaseGrant: Unary<ILeaseGrantRequest, ILeaseGrantResponse>;
  leaseRevoke: Unary<ILeaseRevokeRequest, ILeaseRevokeResponse>;
  leaseTimeToLive: Unary<ILeaseTimeToLiveRequest, ILeaseTimeToLiveResponse>;
  leaseLeases: Unary<Empty, ILeaseLeasesResponse>;
  leaseKeepAlive(): Promise<GrpcStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>>;
}

export interface ClusterService {
  memberAdd: Unary<IMemberAddRequest, IMemberAddResponse>;
  memberRemove: Unary<IMemberRemoveRequest, IMemberRemoveResponse>;
  memberUpdate: Unary<IMemberUpdateRequest, IMemberUpdateResponse>;
  memberList: Unary<Empty, IMemberListResponse>;
  memberPromote: Unary<IMemberPromoteRequest, IMemberPromoteResponse>;
}

export interface MaintenanceService {
  alarm: Unary<IAlarmRequest, IAlarmResponse>;
  status: Unary<Empty, IStatusResponse>;
  defragment: Unary<Empty, IDefragmentResponse>;
  hashKV: Unary<IHashKVRequest, IHashKVResponse>;
  moveLeader: Unary<IMoveLeaderRequest, IMoveLeaderResponse>;
  snapshot(request: Empty): Promise<GrpcStream<never, ISnapshotResponse>>;
}

export interface AuthService {
  authEnable: Unary<Empty, IAuthEnableResponse>;
  authDisable: Unary<Empty, IAuthDisableResponse>;
  authStatus: Unary<Empty, IAuthStatusResponse>;
  userAdd: Unary<IAuthUserAddRequest, IAuthUserAddResponse>;
  userGet: Unary<IAuthUserGetRequest, IAuthUserGetResponse>;
  userList: Unary<Empty, IAuthUserListResponse>;
  userDelete: Unary<IAuthUserDeleteRequest, IAuthUserDeleteResponse>;
  userChangePassword: Unary<IAuthUserChangePasswordRequest, IAuthUserChangePasswordResponse>;
  userGrantRole: Unary<IAuthUserGrantRoleRequest, IAuthUserGrantRoleResponse>;
  userRevokeRole: Unary<IAuthUserRevokeRoleRequest, IAuthUserRevokeRoleResponse>;
  roleAdd: Unary<IAuthRoleAddRequest, IAuthRoleAddResponse>;
  roleGet: Unary<IAuthRoleGetRequest, IAuthRoleGetResponse>;
  roleList: Unary<Empty, IAuthRoleListResponse>;
  roleDelete: Unary<IAuthRoleDeleteRequest, IAuthRoleDeleteResponse>;
  roleGrantPermission: Unary<IAuthRoleGrantPermissionRequest, IAuthRoleGrantPermissionResponse>;
  roleRevokePermission: Unary<IAuthRoleRevokePermissionRequest, IAuthRoleRevokePermissionResponse>;
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
