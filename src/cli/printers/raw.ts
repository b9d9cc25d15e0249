// etcdctl's printerRPC: json and protobuf print the RPC response message itself; each method names the proto
// message it is. Member promote and the endpoint/snapshot kinds stay unsupported here, as in etcdctl.
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
  ILeaseRevokeResponse,
  IMemberAddResponse,
  IMemberListResponse,
  IMemberRemoveResponse,
  IMemberUpdateResponse,
  IMoveLeaderResponse,
  IPutResponse,
  IRangeResponse,
  ITxnResponse,
} from 'etcd3';
import { UnsupportedPrinter } from './unsupported.js';

const pb = (name: string) => `etcdserverpb.${name}`;

export abstract class RawPrinter extends UnsupportedPrinter {
  /** Prints one proto message of the given full type name. */
  protected abstract message(typeName: string, obj: object): void;

  override del(r: IDeleteRangeResponse): void {
    this.message(pb('DeleteRangeResponse'), r);
  }
  override get(r: IRangeResponse): void {
    this.message(pb('RangeResponse'), r);
  }
  override put(r: IPutResponse): void {
    this.message(pb('PutResponse'), r);
  }
  override txn(r: ITxnResponse): void {
    this.message(pb('TxnResponse'), r);
  }
  override revoke(_id: string, r: ILeaseRevokeResponse): void {
    this.message(pb('LeaseRevokeResponse'), r);
  }
  override memberAdd(r: IMemberAddResponse): void {
    this.message(pb('MemberAddResponse'), r);
  }
  override memberRemove(_id: string, r: IMemberRemoveResponse): void {
    this.message(pb('MemberRemoveResponse'), r);
  }
  override memberUpdate(_id: string, r: IMemberUpdateResponse): void {
    this.message(pb('MemberUpdateResponse'), r);
  }
  override memberList(r: IMemberListResponse): void {
    this.message(pb('MemberListResponse'), r);
  }
  override alarm(r: IAlarmResponse): void {
    this.message(pb('AlarmResponse'), r);
  }
  override moveLeader(_leader: string, _target: string, r: IMoveLeaderResponse): void {
    this.message(pb('MoveLeaderResponse'), r);
  }
  override roleAdd(_role: string, r: IAuthRoleAddResponse): void {
    this.message(pb('AuthRoleAddResponse'), r);
  }
  override roleGet(_role: string, r: IAuthRoleGetResponse): void {
    this.message(pb('AuthRoleGetResponse'), r);
  }
  override roleDelete(_role: string, r: IAuthRoleDeleteResponse): void {
    this.message(pb('AuthRoleDeleteResponse'), r);
  }
  override roleList(r: IAuthRoleListResponse): void {
    this.message(pb('AuthRoleListResponse'), r);
  }
  override roleGrantPermission(_role: string, r: IAuthRoleGrantPermissionResponse): void {
    this.message(pb('AuthRoleGrantPermissionResponse'), r);
  }
  override roleRevokePermission(_role: string, _key: string, _end: string, r: IAuthRoleRevokePermissionResponse): void {
    this.message(pb('AuthRoleRevokePermissionResponse'), r);
  }
  override userAdd(_user: string, r: IAuthUserAddResponse): void {
    this.message(pb('AuthUserAddResponse'), r);
  }
  override userGet(_user: string, r: IAuthUserGetResponse): void {
    this.message(pb('AuthUserGetResponse'), r);
  }
  override userList(r: IAuthUserListResponse): void {
    this.message(pb('AuthUserListResponse'), r);
  }
  override userChangePassword(r: IAuthUserChangePasswordResponse): void {
    this.message(pb('AuthUserChangePasswordResponse'), r);
  }
  override userGrantRole(_user: string, _role: string, r: IAuthUserGrantRoleResponse): void {
    this.message(pb('AuthUserGrantRoleResponse'), r);
  }
  override userRevokeRole(_user: string, _role: string, r: IAuthUserRevokeRoleResponse): void {
    this.message(pb('AuthUserRevokeRoleResponse'), r);
  }
  override userDelete(_user: string, r: IAuthUserDeleteResponse): void {
    this.message(pb('AuthUserDeleteResponse'), r);
  }
}
