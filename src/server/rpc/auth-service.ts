import type { Applier } from '../apply/applier.js';
import type { AuthInfo } from '../auth/auth-store.js';
import type { EtcdServer } from '../server.js';
import { authInfoOf, type TokenMember } from './auth-info.js';
import { unary } from './handlers.js';
import type * as wire from '../../api/wire-types.generated.js';

// rpc.proto's Auth service: each request with the caller's AuthInfo (from its token) into the apply
// layer's AuthRequests, each answer with the member's header.

export type AuthMember = Readonly<Pick<EtcdServer, 'paused' | 'header' | 'rev'>> &
  TokenMember & { readonly applier: Pick<Applier, 'authRequests'> };

export function authService(server: AuthMember) {
  const requests = server.applier.authRequests;
  const header = () => server.header(server.rev);
  /** A request with the caller's AuthInfo, answered with the header and what `run` returns. */
  const handle = <Req>(run: (req: Req, ai: AuthInfo | null) => Promise<object | void>) =>
    unary(server, async (req: Req, call) => {
      const res = (await run(req, authInfoOf(server, call))) ?? {};
      return { header: header(), ...res };
    });

  return {
    AuthEnable: handle((_req: wire.AuthEnableRequest, ai) => requests.authEnable(ai)),
    AuthDisable: handle((_req: wire.AuthDisableRequest, ai) => requests.authDisable(ai)),
    AuthStatus: handle((_req: wire.AuthStatusRequest, ai) => requests.authStatus(ai)),
    // a login carries no token of its own (etcd skips AuthInfoFromCtx for it)
    Authenticate: unary(server, async (req: wire.AuthenticateRequest) => {
      const token = await requests.authenticate(req.name, req.password);
      return { header: header(), token };
    }),
    UserAdd: handle((req: wire.AuthUserAddRequest, ai) => requests.userAdd(ai, req)),
    UserGet: handle(async (req: wire.AuthUserGetRequest, ai) => ({ roles: await requests.userGet(ai, req.name) })),
    UserList: handle(async (_req: wire.AuthUserListRequest, ai) => ({ users: await requests.userList(ai) })),
    UserDelete: handle((req: wire.AuthUserDeleteRequest, ai) => requests.userDelete(ai, req.name)),
    UserChangePassword: handle((req: wire.AuthUserChangePasswordRequest, ai) => requests.userChangePassword(ai, req.name, req.password)),
    UserGrantRole: handle((req: wire.AuthUserGrantRoleRequest, ai) => requests.userGrantRole(ai, req.user, req.role)),
    UserRevokeRole: handle((req: wire.AuthUserRevokeRoleRequest, ai) => requests.userRevokeRole(ai, req.name, req.role)),
    RoleAdd: handle((req: wire.AuthRoleAddRequest, ai) => requests.roleAdd(ai, req.name)),
    RoleGet: handle(async (req: wire.AuthRoleGetRequest, ai) => {
      const perms = await requests.roleGet(ai, req.role);
      return { perm: perms.map((p) => ({ permType: p.permType, key: p.key, range_end: p.rangeEnd })) };
    }),
    RoleList: handle(async (_req: wire.AuthRoleListRequest, ai) => ({ roles: await requests.roleList(ai) })),
    RoleDelete: handle((req: wire.AuthRoleDeleteRequest, ai) => requests.roleDelete(ai, req.role)),
    RoleGrantPermission: handle((req: wire.AuthRoleGrantPermissionRequest, ai) => requests.roleGrantPermission(ai, req)),
    RoleRevokePermission: handle((req: wire.AuthRoleRevokePermissionRequest, ai) => requests.roleRevokePermission(ai, req)),
  };
}
