// etcdctl's printerRPC: json and protobuf print the RPC response message itself; each method names the proto
// message it is. Member promote and the endpoint/snapshot kinds stay unsupported here, as in etcdctl.
import type {
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
  DowngradeAction,
  DowngradeResponse,
  LeaseRevokeResponse,
  MemberAddResponse,
  MemberListResponse,
  MemberRemoveResponse,
  MemberUpdateResponse,
  MoveLeaderResponse,
  PutResponse,
  RangeResponse,
  TxnResponse,
} from '../../api/wire-types.generated.js';
import { UnsupportedPrinter } from './unsupported.js';

const pb = (name: string) => `etcdserverpb.${name}`;

export abstract class RawPrinter extends UnsupportedPrinter {
  /** Prints one proto message of the given full type name. */
  protected abstract message(typeName: string, obj: object): void;

  override del(r: DeleteRangeResponse): void {
    this.message(pb('DeleteRangeResponse'), r);
  }
  override get(r: RangeResponse): void {
    this.message(pb('RangeResponse'), r);
  }
  override put(r: PutResponse): void {
    this.message(pb('PutResponse'), r);
  }
  override txn(r: TxnResponse): void {
    this.message(pb('TxnResponse'), r);
  }
  override revoke(_id: string, r: LeaseRevokeResponse): void {
    this.message(pb('LeaseRevokeResponse'), r);
  }
  override memberAdd(r: MemberAddResponse): void {
    this.message(pb('MemberAddResponse'), r);
  }
  override memberRemove(_id: string, r: MemberRemoveResponse): void {
    this.message(pb('MemberRemoveResponse'), r);
  }
  override memberUpdate(_id: string, r: MemberUpdateResponse): void {
    this.message(pb('MemberUpdateResponse'), r);
  }
  override memberList(r: MemberListResponse): void {
    this.message(pb('MemberListResponse'), r);
  }
  override alarm(r: AlarmResponse): void {
    this.message(pb('AlarmResponse'), r);
  }
  override moveLeader(_leader: string, _target: string, r: MoveLeaderResponse): void {
    this.message(pb('MoveLeaderResponse'), r);
  }
  override downgrade(_action: DowngradeAction, r: DowngradeResponse): void {
    this.message(pb('DowngradeResponse'), r);
  }
  override roleAdd(_role: string, r: AuthRoleAddResponse): void {
    this.message(pb('AuthRoleAddResponse'), r);
  }
  override roleGet(_role: string, r: AuthRoleGetResponse): void {
    this.message(pb('AuthRoleGetResponse'), r);
  }
  override roleDelete(_role: string, r: AuthRoleDeleteResponse): void {
    this.message(pb('AuthRoleDeleteResponse'), r);
  }
  override roleList(r: AuthRoleListResponse): void {
    this.message(pb('AuthRoleListResponse'), r);
  }
  override roleGrantPermission(_role: string, r: AuthRoleGrantPermissionResponse): void {
    this.message(pb('AuthRoleGrantPermissionResponse'), r);
  }
  override roleRevokePermission(_role: string, _key: string, _end: string, r: AuthRoleRevokePermissionResponse): void {
    this.message(pb('AuthRoleRevokePermissionResponse'), r);
  }
  override userAdd(_user: string, r: AuthUserAddResponse): void {
    this.message(pb('AuthUserAddResponse'), r);
  }
  override userGet(_user: string, r: AuthUserGetResponse): void {
    this.message(pb('AuthUserGetResponse'), r);
  }
  override userList(r: AuthUserListResponse): void {
    this.message(pb('AuthUserListResponse'), r);
  }
  override userChangePassword(r: AuthUserChangePasswordResponse): void {
    this.message(pb('AuthUserChangePasswordResponse'), r);
  }
  override userGrantRole(_user: string, _role: string, r: AuthUserGrantRoleResponse): void {
    this.message(pb('AuthUserGrantRoleResponse'), r);
  }
  override userRevokeRole(_user: string, _role: string, r: AuthUserRevokeRoleResponse): void {
    this.message(pb('AuthUserRevokeRoleResponse'), r);
  }
  override userDelete(_user: string, r: AuthUserDeleteResponse): void {
    this.message(pb('AuthUserDeleteResponse'), r);
  }
}
