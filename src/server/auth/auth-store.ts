import { compare, hash } from 'bcryptjs';
import { fail } from '../errors.js';
import type { BucketStore } from '../storage/buckets.js';
import type { PermissionType } from '../../api/wire-types.generated.js';
import { UnifiedPermissions, type KeyPermission } from './permissions.js';
import type { TokenProvider } from './token-provider.js';

// etcd's auth store (server/auth/store.go): users, roles, the enabled flag and the auth revision,
// durable in the auth buckets and held in memory. Every change to users or roles (and disabling)
// bumps the revision, so a request checked against an older one fails. Permission checks are
// etcd's isOpPermitted and IsAdminPermitted. The rpc layer resolves tokens; apply calls the checks.

export const ROOT = 'root';
/** What RoleGet shows for the root role: read-write on every key. */
export const ROOT_PERMISSION: KeyPermission = { permType: 'READWRITE', key: Buffer.alloc(0), rangeEnd: Buffer.from([0]) };
/** Go's bcrypt refuses longer passwords (golang.org/x/crypto/bcrypt ErrPasswordTooLong). */
const BCRYPT_MAX_PASSWORD_BYTES = 72;

const ENABLED_KEY = Buffer.from('authEnabled');
const REVISION_KEY = Buffer.from('authRevision');

export interface User {
  name: string;
  /** bcrypt hash; empty for a user added with no_password. */
  password: string;
  /** Sorted, as etcd keeps them. */
  roles: string[];
  noPassword: boolean;
}

export interface Role {
  name: string;
  /** Sorted by key. */
  permissions: KeyPermission[];
}

/** Who sent a request, and the auth revision when its token was checked (etcd's AuthInfo). */
export interface AuthInfo {
  username: string;
  revision: number;
}

/** The member acting on its own (auto compaction), as etcd acts with a root token (WithRoot). */
export const AS_SERVER: AuthInfo = Object.freeze({ username: '', revision: Number.MAX_SAFE_INTEGER });

export interface AuthStoreOptions {
  bcryptCost: number;
  tokens: TokenProvider;
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** A user as its row in the authUsers bucket. */
export function encodeUser(u: User): Buffer {
  return Buffer.from(JSON.stringify(u));
}

/** A role as its row in the authRoles bucket. */
export function encodeRole(r: Role): Buffer {
  const permissions = r.permissions.map((p) => ({ permType: p.permType, key: p.key.toString('base64'), rangeEnd: p.rangeEnd.toString('base64') }));
  return Buffer.from(JSON.stringify({ name: r.name, permissions }));
}

/** A row of the authUsers bucket. */
export function decodeUser(b: Buffer): User {
  return JSON.parse(b.toString()) as User;
}

/** A row of the authRoles bucket. */
export function decodeRole(b: Buffer): Role {
  const raw = JSON.parse(b.toString()) as { name: string; permissions: { permType: PermissionType; key: string; rangeEnd: string }[] };
  return {
    name: raw.name,
    permissions: raw.permissions.map((p) => ({ permType: p.permType, key: Buffer.from(p.key, 'base64'), rangeEnd: Buffer.from(p.rangeEnd, 'base64') })),
  };
}

export class AuthStore {
  private readonly users = new Map<string, User>();
  private readonly roles = new Map<string, Role>();
  private enabled = false;
  private rev = 0;
  /** Merged permissions per user, dropped on any change to users or roles. */
  private permCache = new Map<string, UnifiedPermissions>();

  constructor(private readonly backend: BucketStore, private readonly options: AuthStoreOptions) {}

  /** Loads the persisted state; a fresh store starts at revision 1, as etcd's does. */
  restore(): Promise<unknown> {
    for (const { value } of this.backend.scan('authUsers')) {
      const user = decodeUser(value);
      this.users.set(user.name, user);
    }
    for (const { value } of this.backend.scan('authRoles')) {
      const role = decodeRole(value);
      this.roles.set(role.name, role);
    }
    this.enabled = this.backend.get('auth', ENABLED_KEY)?.[0] === 1;
    const rev = this.backend.get('auth', REVISION_KEY);
    this.rev = rev ? Number(rev.readBigUInt64BE(0)) : 0;
    if (this.enabled) this.options.tokens.enable();
    return this.rev === 0 ? this.commitRevision() : Promise.resolve();
  }

  get revision(): number {
    return this.rev;
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  private commitRevision(): Promise<unknown> {
    this.rev++;
    this.permCache.clear();
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(this.rev));
    return this.backend.put('auth', REVISION_KEY, b);
  }

  private saveUser(user: User): Promise<unknown> {
    this.users.set(user.name, user);
    return this.backend.put('authUsers', Buffer.from(user.name), encodeUser(user));
  }

  private saveRole(role: Role): Promise<unknown> {
    this.roles.set(role.name, role);
    return this.backend.put('authRoles', Buffer.from(role.name), encodeRole(role));
  }

  // ---- enable / disable ---------------------------------------------------------------------------

  enable(): Promise<unknown> {
    if (this.enabled) return Promise.resolve();
    const root = this.users.get(ROOT);
    if (!root) fail('RootUserNotExist');
    if (!root!.roles.includes(ROOT)) fail('RootRoleNotExist');
    this.enabled = true;
    this.options.tokens.enable();
    this.permCache.clear();
    return this.backend.put('auth', ENABLED_KEY, Buffer.from([1]));
  }

  disable(): Promise<unknown> {
    if (!this.enabled) return Promise.resolve();
    this.enabled = false;
    this.options.tokens.disable();
    return Promise.all([this.backend.put('auth', ENABLED_KEY, Buffer.from([0])), this.commitRevision()]);
  }

  // ---- passwords and tokens -----------------------------------------------------------------------

  /** bcrypt at the configured cost; never logged. */
  async hashPassword(password: string): Promise<string> {
    if (Buffer.byteLength(password) > BCRYPT_MAX_PASSWORD_BYTES) throw new Error('bcrypt: password length exceeds 72 bytes');
    return hash(password, this.options.bcryptCost);
  }

  /** etcd's CheckPassword: the auth revision the password was checked at. */
  async checkPassword(name: string, password: string): Promise<number> {
    if (!this.enabled) fail('AuthNotEnabled');
    const user = this.users.get(name);
    if (!user) fail('AuthFailed');
    // such a user logs in only with a client certificate (etcd's ErrNoPasswordUser)
    if (user!.noPassword) fail('NoPasswordUser');
    const revision = this.rev;
    // a password changed to nothing leaves no hash, and nothing matches it
    if (user!.password === '' || !(await compare(password, user!.password))) fail('AuthFailed');
    return revision;
  }

  /** etcd's Authenticate, applied at raft index `index`: a new token (a JWT carries the current revision). */
  authenticate(name: string, prefix: string, index: number): string {
    if (!this.enabled) fail('AuthNotEnabled');
    const user = this.users.get(name);
    if (!user || user.noPassword) fail('AuthFailed');
    return this.options.tokens.assign(name, this.rev, prefix, index);
  }

  genTokenPrefix(): string {
    return this.options.tokens.genPrefix();
  }

  /**
   * etcd 3.5's AuthInfoFromCtx: null when auth is off or no token was sent; a "Bearer " prefix is
   * dropped (3.5.30+). A simple token is checked at the current revision, a JWT at its own.
   */
  authInfoFromToken(token: string | undefined, appliedIndex: number): AuthInfo | null {
    if (!this.enabled || token === undefined) return null;
    const info = this.options.tokens.info(token.startsWith('Bearer ') ? token.slice(7) : token, appliedIndex, this.rev);
    if (info === null) fail('InvalidAuthToken');
    return info;
  }

  // ---- users --------------------------------------------------------------------------------------

  /** password: the bcrypt hash, or null for a no_password user. */
  userAdd(name: string, password: string | null): Promise<unknown> {
    if (name.length === 0) fail('UserEmpty');
    if (this.users.has(name)) fail('UserAlreadyExist');
    const saved = this.saveUser({ name, password: password ?? '', roles: [], noPassword: password === null });
    return Promise.all([saved, this.commitRevision()]);
  }

  userDelete(name: string): Promise<unknown> {
    if (this.enabled && name === ROOT) fail('InvalidAuthMgmt');
    if (!this.users.has(name)) fail('UserNotFound');
    this.users.delete(name);
    const removed = this.backend.remove('authUsers', Buffer.from(name));
    this.options.tokens.invalidateUser(name);
    return Promise.all([removed, this.commitRevision()]);
  }

  /** password: the new bcrypt hash (ignored for a no_password user). */
  userChangePassword(name: string, password: string): Promise<unknown> {
    const user = this.users.get(name);
    if (!user) fail('UserNotFound');
    const saved = this.saveUser({ ...user!, password: user!.noPassword ? '' : password });
    this.options.tokens.invalidateUser(name);
    return Promise.all([saved, this.commitRevision()]);
  }

  userGrantRole(name: string, role: string): Promise<unknown> {
    const user = this.users.get(name);
    if (!user) fail('UserNotFound');
    if (role !== ROOT && !this.roles.has(role)) fail('RoleNotFound');
    if (user!.roles.includes(role)) return Promise.resolve();
    const saved = this.saveUser({ ...user!, roles: [...user!.roles, role].sort() });
    return Promise.all([saved, this.commitRevision()]);
  }

  userRevokeRole(name: string, role: string): Promise<unknown> {
    if (this.enabled && name === ROOT && role === ROOT) fail('InvalidAuthMgmt');
    const user = this.users.get(name);
    if (!user) fail('UserNotFound');
    if (!user!.roles.includes(role)) fail('RoleNotGranted');
    const saved = this.saveUser({ ...user!, roles: user!.roles.filter((r) => r !== role) });
    return Promise.all([saved, this.commitRevision()]);
  }

  userGet(name: string): User {
    const user = this.users.get(name);
    if (!user) fail('UserNotFound');
    return user!;
  }

  userList(): string[] {
    return [...this.users.keys()].sort(byBytes);
  }

  // ---- roles --------------------------------------------------------------------------------------

  roleAdd(name: string): Promise<unknown> {
    if (name.length === 0) fail('RoleEmpty');
    if (this.roles.has(name)) fail('RoleAlreadyExist');
    return Promise.all([this.saveRole({ name, permissions: [] }), this.commitRevision()]);
  }

  roleDelete(name: string): Promise<unknown> {
    if (this.enabled && name === ROOT) fail('InvalidAuthMgmt');
    if (!this.roles.has(name)) fail('RoleNotFound');
    this.roles.delete(name);
    const writes: Promise<unknown>[] = [this.backend.remove('authRoles', Buffer.from(name))];
    for (const user of this.users.values()) {
      if (user.roles.includes(name)) writes.push(this.saveUser({ ...user, roles: user.roles.filter((r) => r !== name) }));
    }
    writes.push(this.commitRevision());
    return Promise.all(writes);
  }

  /** The root role shows etcd's implicit read-write on everything. */
  roleGet(name: string): KeyPermission[] {
    const role = this.roles.get(name);
    if (!role) fail('RoleNotFound');
    return name === ROOT ? [ROOT_PERMISSION] : role!.permissions;
  }

  roleList(): string[] {
    return [...this.roles.keys()].sort(byBytes);
  }

  roleGrantPermission(name: string, perm: KeyPermission | null): Promise<unknown> {
    if (!perm) fail('PermissionNotGiven');
    const role = this.roles.get(name);
    if (!role) fail('RoleNotFound');
    const permissions = [...role!.permissions];
    const same = permissions.findIndex((p) => p.key.equals(perm!.key) && p.rangeEnd.equals(perm!.rangeEnd));
    if (same >= 0) permissions[same] = { ...permissions[same], permType: perm!.permType };
    else {
      permissions.push(perm!);
      // etcd sorts by key with Go's sort.Sort; equal keys (different ends) keep an unspecified order
      permissions.sort((a, b) => Buffer.compare(a.key, b.key));
    }
    return Promise.all([this.saveRole({ name, permissions }), this.commitRevision()]);
  }

  roleRevokePermission(name: string, key: Buffer, rangeEnd: Buffer): Promise<unknown> {
    const role = this.roles.get(name);
    if (!role) fail('RoleNotFound');
    const permissions = role!.permissions.filter((p) => !(p.key.equals(key) && p.rangeEnd.equals(rangeEnd)));
    if (permissions.length === role!.permissions.length) fail('PermissionNotGranted');
    return Promise.all([this.saveRole({ name, permissions }), this.commitRevision()]);
  }

  hasRole(user: string, role: string): boolean {
    return this.users.get(user)?.roles.includes(role) ?? false;
  }

  // ---- checks -------------------------------------------------------------------------------------

  /** etcd's isOpPermitted: rangeEnd empty for one key, "\0" for every key from key on. */
  private checkOp(ai: AuthInfo | null, type: 'READ' | 'WRITE', key: Buffer, rangeEnd: Buffer | null | undefined): void {
    if (!this.enabled || ai === AS_SERVER) return;
    // only an empty AuthInfo (no token sent) has revision 0
    if (!ai || ai.revision === 0) fail('UserEmpty');
    if (ai!.revision < this.rev) fail('AuthOldRevision');
    const user = this.users.get(ai!.username);
    if (!user) fail('PermissionDenied');
    if (user!.roles.includes(ROOT)) return;
    let perms = this.permCache.get(user!.name);
    if (!perms) {
      const grants = user!.roles.flatMap((r) => this.roles.get(r)?.permissions ?? []);
      this.permCache.set(user!.name, (perms = new UnifiedPermissions(grants)));
    }
    if (!perms.permits(type, key, rangeEnd)) fail('PermissionDenied');
  }

  checkRange(ai: AuthInfo | null, key: Buffer, rangeEnd: Buffer | null | undefined): void {
    this.checkOp(ai, 'READ', key, rangeEnd);
  }

  checkPut(ai: AuthInfo | null, key: Buffer): void {
    this.checkOp(ai, 'WRITE', key, null);
  }

  checkDeleteRange(ai: AuthInfo | null, key: Buffer, rangeEnd: Buffer | null | undefined): void {
    this.checkOp(ai, 'WRITE', key, rangeEnd);
  }

  /**
   * etcd's doSerialize: a read checked with a token of another auth revision (a JWT issued after a
   * restore to older auth data) is refused once read, as the store changed "while it was handled".
   */
  checkServedRevision(ai: AuthInfo | null): void {
    if (!this.enabled || !ai || ai === AS_SERVER) return;
    if (ai.revision !== 0 && ai.revision !== this.rev) fail('AuthOldRevision');
  }

  /** etcd's IsAdminPermitted: the user has the root role (whatever the token's revision). */
  checkAdmin(ai: AuthInfo | null): void {
    if (!this.enabled || ai === AS_SERVER) return;
    if (!ai || ai.username === '') fail('UserEmpty');
    const user = this.users.get(ai!.username);
    if (!user) fail('UserNotFound');
    if (!user!.roles.includes(ROOT)) fail('PermissionDenied');
  }

  isAdmin(ai: AuthInfo | null): boolean {
    if (!this.enabled || ai === AS_SERVER) return true;
    return !!ai && (this.users.get(ai.username)?.roles.includes(ROOT) ?? false);
  }

  /** etcd's requireAuthInfo: with auth on, the request must carry a valid token. */
  checkAuthenticated(ai: AuthInfo | null): void {
    if (this.enabled && !ai) fail('UserEmpty');
  }
}
