import type { AuthInfo, AuthStore } from '../auth/auth-store.js';
import type { KeyPermission } from '../auth/permissions.js';
import type * as wire from '../../api/wire-types.generated.js';

// The Auth service's requests with etcd 3.5's semantics (etcdserver/v3_server.go and apply_auth.go).
// Each is a raft entry in etcd, so each applies as one consistent index, failed or not; passwords
// are hashed before that, as etcd hashes them before proposing. Management needs the root role
// (etcd's needAdminPermission), except that a user may read itself and the roles it has.

/** What the applier lends: a write entry (one consistent index) and the index it got. */
export interface AppliedEntries {
  applied(...durable: (Promise<unknown> | null)[]): Promise<void>;
  readonly appliedIndex: number;
}

export class AuthRequests {
  constructor(private readonly auth: AuthStore, private readonly entries: AppliedEntries) {}

  /** One raft entry: the admin gate (if asked), then op; the index moves whatever happens. */
  private async entry<T>(ai: AuthInfo | null, admin: boolean, op: () => { result: T; committed?: Promise<unknown> }): Promise<T> {
    let outcome: { result: T; committed?: Promise<unknown> } | undefined;
    let error: unknown;
    try {
      if (admin) this.auth.checkAdmin(ai);
      outcome = op();
    } catch (err) {
      error = err;
    }
    await this.entries.applied(outcome?.committed ?? null);
    if (error !== undefined) throw error;
    return outcome!.result;
  }

  private change(ai: AuthInfo | null, op: () => Promise<unknown>): Promise<void> {
    return this.entry(ai, true, () => ({ result: undefined, committed: op() }));
  }

  authEnable(ai: AuthInfo | null): Promise<void> {
    return this.change(ai, () => this.auth.enable());
  }

  authDisable(ai: AuthInfo | null): Promise<void> {
    return this.change(ai, () => this.auth.disable());
  }

  authStatus(ai: AuthInfo | null): Promise<{ enabled: boolean; authRevision: number }> {
    return this.entry(ai, true, () => ({ result: { enabled: this.auth.isEnabled, authRevision: this.auth.revision } }));
  }

  /** etcd's Authenticate: the password is checked first, and again if the store changed meanwhile. */
  async authenticate(name: string, password: string): Promise<string> {
    for (;;) {
      const checkedRevision = await this.auth.checkPassword(name, password);
      const prefix = this.auth.genTokenPrefix();
      const token = await this.entry(null, false, () => ({ result: this.auth.authenticate(name, prefix, this.entries.appliedIndex + 1) }));
      if (checkedRevision === this.auth.revision) return token;
    }
  }

  async userAdd(ai: AuthInfo | null, req: wire.AuthUserAddRequest): Promise<void> {
    const noPassword = req.options?.no_password ?? false;
    const hashed = noPassword ? null : await this.auth.hashPassword(req.password);
    return this.change(ai, () => this.auth.userAdd(req.name, hashed));
  }

  userDelete(ai: AuthInfo | null, name: string): Promise<void> {
    return this.change(ai, () => this.auth.userDelete(name));
  }

  async userChangePassword(ai: AuthInfo | null, name: string, password: string): Promise<void> {
    const hashed = password !== '' ? await this.auth.hashPassword(password) : '';
    return this.change(ai, () => this.auth.userChangePassword(name, hashed));
  }

  userGrantRole(ai: AuthInfo | null, user: string, role: string): Promise<void> {
    return this.change(ai, () => this.auth.userGrantRole(user, role));
  }

  userRevokeRole(ai: AuthInfo | null, name: string, role: string): Promise<void> {
    return this.change(ai, () => this.auth.userRevokeRole(name, role));
  }

  /** A user may read itself. */
  userGet(ai: AuthInfo | null, name: string): Promise<string[]> {
    return this.entry(ai, false, () => {
      if (!this.auth.isAdmin(ai) && name !== ai?.username) this.auth.checkAdmin(ai);
      return { result: [...this.auth.userGet(name).roles] };
    });
  }

  userList(ai: AuthInfo | null): Promise<string[]> {
    return this.entry(ai, true, () => ({ result: this.auth.userList() }));
  }

  roleAdd(ai: AuthInfo | null, name: string): Promise<void> {
    return this.change(ai, () => this.auth.roleAdd(name));
  }

  roleDelete(ai: AuthInfo | null, name: string): Promise<void> {
    return this.change(ai, () => this.auth.roleDelete(name));
  }

  /** A user may read the roles it has. */
  roleGet(ai: AuthInfo | null, role: string): Promise<KeyPermission[]> {
    return this.entry(ai, false, () => {
      if (!this.auth.isAdmin(ai) && !(ai && this.auth.hasRole(ai.username, role))) this.auth.checkAdmin(ai);
      return { result: this.auth.roleGet(role) };
    });
  }

  roleList(ai: AuthInfo | null): Promise<string[]> {
    return this.entry(ai, true, () => ({ result: this.auth.roleList() }));
  }

  roleGrantPermission(ai: AuthInfo | null, req: wire.AuthRoleGrantPermissionRequest): Promise<void> {
    const perm = req.perm && { permType: req.perm.permType, key: req.perm.key, rangeEnd: req.perm.range_end };
    return this.change(ai, () => this.auth.roleGrantPermission(req.name, perm));
  }

  roleRevokePermission(ai: AuthInfo | null, req: wire.AuthRoleRevokePermissionRequest): Promise<void> {
    return this.change(ai, () => this.auth.roleRevokePermission(req.role, req.key, req.range_end));
  }
}
