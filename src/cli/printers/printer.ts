// One printer per output format behind this interface, mirroring etcdctl's printer.go: one method per response
// kind. Responses arrive exactly as the gRPC layer decodes them (proto field names, int64 as decimal strings,
// bytes as Buffers, enums as names), so every format can be exact without lossy conversions.
import type {
  IAlarmResponse,
  IAuthRoleAddResponse,
  IAuthRoleDeleteResponse,
  IAuthRoleGetResponse,
  IAuthRoleGrantPermissionResponse,
  IAuthRoleListResponse,
  IAuthRoleRevokePermissionResponse,
  IAuthUserAddResponse,
  IAuthUserChangePasswordResponse,
  IAuthUserDeleteResponse,
  IAuthUserGetResponse,
  IAuthUserGrantRoleResponse,
  IAuthUserListResponse,
  IAuthUserRevokeRoleResponse,
  IDeleteRangeResponse,
  IHashKVResponse,
  ILeaseGrantResponse,
  ILeaseKeepAliveResponse,
  ILeaseLeasesResponse,
  ILeaseRevokeResponse,
  ILeaseTimeToLiveResponse,
  IMemberAddResponse,
  IMemberListResponse,
  IMemberPromoteResponse,
  IMemberRemoveResponse,
  IMemberUpdateResponse,
  IMoveLeaderResponse,
  IPutResponse,
  IRangeResponse,
  IStatusResponse,
  ITxnResponse,
} from 'etcd3';
import type { DBStatus } from '../../snapshot/format.js';
import type { OutputStream } from '../io.js';
import type { WatchResponseView } from '../../client/watch-stream.js';

export interface EndpointHealth {
  ep: string;
  health: boolean;
  /** Go time.Duration text, e.g. `1.677361ms`. */
  took: string;
  error: string;
}
export interface EndpointStatus {
  ep: string;
  resp: IStatusResponse;
}
export interface EndpointHashKV {
  ep: string;
  resp: IHashKVResponse;
}
/** snapshot status of a file (defined beside the snapshot reader, which must not load the CLI). */
export type { DBStatus };

export interface Printer {
  del(r: IDeleteRangeResponse): void;
  get(r: IRangeResponse): void;
  put(r: IPutResponse): void;
  txn(r: ITxnResponse): void;
  watch(r: WatchResponseView): void;

  grant(r: ILeaseGrantResponse): void;
  /** id: the lease ID as a decimal int64 string. */
  revoke(id: string, r: ILeaseRevokeResponse): void;
  keepAlive(r: ILeaseKeepAliveResponse): void;
  timeToLive(r: ILeaseTimeToLiveResponse, keys: boolean): void;
  leases(r: ILeaseLeasesResponse): void;

  memberAdd(r: IMemberAddResponse): void;
  /** id: the member ID as a decimal uint64 string. */
  memberRemove(id: string, r: IMemberRemoveResponse): void;
  memberUpdate(id: string, r: IMemberUpdateResponse): void;
  memberPromote(id: string, r: IMemberPromoteResponse): void;
  memberList(r: IMemberListResponse): void;

  endpointHealth(list: EndpointHealth[]): void;
  endpointStatus(list: EndpointStatus[]): void;
  endpointHashKV(list: EndpointHashKV[]): void;
  /** leader, target: member IDs as decimal uint64 strings. */
  moveLeader(leader: string, target: string, r: IMoveLeaderResponse): void;

  alarm(r: IAlarmResponse): void;
  dbStatus(s: DBStatus): void;

  roleAdd(role: string, r: IAuthRoleAddResponse): void;
  roleGet(role: string, r: IAuthRoleGetResponse): void;
  roleDelete(role: string, r: IAuthRoleDeleteResponse): void;
  roleList(r: IAuthRoleListResponse): void;
  roleGrantPermission(role: string, r: IAuthRoleGrantPermissionResponse): void;
  roleRevokePermission(role: string, key: string, end: string, r: IAuthRoleRevokePermissionResponse): void;
  userAdd(user: string, r: IAuthUserAddResponse): void;
  userGet(user: string, r: IAuthUserGetResponse): void;
  userList(r: IAuthUserListResponse): void;
  userChangePassword(r: IAuthUserChangePasswordResponse): void;
  userGrantRole(user: string, role: string, r: IAuthUserGrantRoleResponse): void;
  userRevokeRole(user: string, role: string, r: IAuthUserRevokeRoleResponse): void;
  userDelete(user: string, r: IAuthUserDeleteResponse): void;

  /**
   * --print-value-only (etcdctl's simplePrinter.valueOnly): only the simple printer has it; the get command
   * rejects other formats before calling it.
   */
  setValueOnly?(valueOnly: boolean): void;
}
