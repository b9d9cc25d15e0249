// One printer per output format behind this interface, mirroring etcdctl's printer.go: one method per response
// kind. Responses arrive exactly as the gRPC layer decodes them (proto field names, int64 as decimal strings,
// bytes as Buffers, enums as names), so every format can be exact without lossy conversions.
import type {
  DowngradeAction,
  DowngradeResponse,
  AlarmResponse,
  AuthRoleAddResponse,
  AuthRoleDeleteResponse,
  AuthRoleGetResponse,
  AuthRoleGrantPermissionResponse,
  AuthRoleListResponse,
  AuthRoleRevokePermissionResponse,
  AuthUserAddResponse,
  AuthUserChangePasswordResponse,
  AuthUserDeleteResponse,
  AuthUserGetResponse,
  AuthUserGrantRoleResponse,
  AuthUserListResponse,
  AuthUserRevokeRoleResponse,
  DeleteRangeResponse,
  HashKVResponse,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
  MemberAddResponse,
  MemberListResponse,
  MemberPromoteResponse,
  MemberRemoveResponse,
  MemberUpdateResponse,
  MoveLeaderResponse,
  PutResponse,
  RangeResponse,
  StatusResponse,
  TxnResponse,
} from '../../api/wire-types.generated.js';
import type { DBStatus } from '../../snapshot/format.js';
import type { OutputStream } from '../io.js';
import type { WatchResponseView } from '../../client/watch-stream.js';
import type { RangePages } from '../paged-range.js';
import type { KeyHistory } from '../key-history.js';

export type { KeyHistory, RangePages };

export interface EndpointHealth {
  ep: string;
  health: boolean;
  /** Go time.Duration text, e.g. `1.677361ms`. */
  took: string;
  error: string;
}
export interface EndpointStatus {
  ep: string;
  resp: StatusResponse;
}
export interface EndpointHashKV {
  ep: string;
  resp: HashKVResponse;
}
/** snapshot status of a file (defined beside the snapshot reader, which must not load the CLI). */
export type { DBStatus };

export interface Printer {
  del(r: DeleteRangeResponse): void;
  get(r: RangeResponse): void;
  /**
   * get's paged mode: the same output as get() of the one response the pages add up to, written page by page.
   * Formats without it (table, which has no get) are sent one request and fail in get() as etcdctl does.
   */
  getPages?(pages: RangePages): Promise<void>;
  put(r: PutResponse): void;
  txn(r: TxnResponse): void;
  watch(r: WatchResponseView): void;
  /** The history command (our extension): simple and json only. */
  history(h: KeyHistory): void;

  grant(r: LeaseGrantResponse): void;
  /** id: the lease ID as a decimal int64 string. */
  revoke(id: string, r: LeaseRevokeResponse): void;
  keepAlive(r: LeaseKeepAliveResponse): void;
  timeToLive(r: LeaseTimeToLiveResponse, keys: boolean): void;
  leases(r: LeaseLeasesResponse): void;

  memberAdd(r: MemberAddResponse): void;
  /** id: the member ID as a decimal uint64 string. */
  memberRemove(id: string, r: MemberRemoveResponse): void;
  memberUpdate(id: string, r: MemberUpdateResponse): void;
  memberPromote(id: string, r: MemberPromoteResponse): void;
  memberList(r: MemberListResponse): void;

  endpointHealth(list: EndpointHealth[]): void;
  endpointStatus(list: EndpointStatus[]): void;
  endpointHashKV(list: EndpointHashKV[]): void;
  /** leader, target: member IDs as decimal uint64 strings. */
  moveLeader(leader: string, target: string, r: MoveLeaderResponse): void;
  /** etcdctl 3.6's downgrade validate|enable|cancel. */
  downgrade(action: DowngradeAction, r: DowngradeResponse): void;

  alarm(r: AlarmResponse): void;
  dbStatus(s: DBStatus): void;

  roleAdd(role: string, r: AuthRoleAddResponse): void;
  roleGet(role: string, r: AuthRoleGetResponse): void;
  roleDelete(role: string, r: AuthRoleDeleteResponse): void;
  roleList(r: AuthRoleListResponse): void;
  roleGrantPermission(role: string, r: AuthRoleGrantPermissionResponse): void;
  roleRevokePermission(role: string, key: string, end: string, r: AuthRoleRevokePermissionResponse): void;
  userAdd(user: string, r: AuthUserAddResponse): void;
  userGet(user: string, r: AuthUserGetResponse): void;
  userList(r: AuthUserListResponse): void;
  userChangePassword(r: AuthUserChangePasswordResponse): void;
  userGrantRole(user: string, role: string, r: AuthUserGrantRoleResponse): void;
  userRevokeRole(user: string, role: string, r: AuthUserRevokeRoleResponse): void;
  userDelete(user: string, r: AuthUserDeleteResponse): void;

  /**
   * --print-value-only (etcdctl's simplePrinter.valueOnly): only the simple printer has it; the get command
   * rejects other formats before calling it.
   */
  setValueOnly?(valueOnly: boolean): void;
}
