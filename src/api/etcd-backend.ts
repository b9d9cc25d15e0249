// etcd's backend schema (etcd 3.4 and 3.5): the buckets of its bbolt file, the keys it keeps in them,
// and how it encodes their values. Shared by whatever reads or writes etcd's own files.
import { protoRoot } from './proto.js';
import { uint64VarintSize, writeUint64Varint } from './primitives/varint.js';

/** etcd's buckets, by the names in its bbolt file (the order a file lists them in: byte order). */
export const ETCD_BUCKETS = {
  alarm: 'alarm',
  auth: 'auth',
  authRoles: 'authRoles',
  authUsers: 'authUsers',
  cluster: 'cluster',
  key: 'key',
  lease: 'lease',
  members: 'members',
  membersRemoved: 'members_removed',
  meta: 'meta',
} as const;

/** Keys of the meta bucket: consistent index and term are uint64 big-endian; the compaction revisions are revision keys (main, '_', sub). */
export const ETCD_META_KEYS = {
  consistentIndex: 'consistent_index',
  finishedCompactRev: 'finishedCompactRev',
  scheduledCompactRev: 'scheduledCompactRev',
  term: 'term',
} as const;

/** Keys of the auth bucket: the enabled flag (one byte, 1 or 0) and the auth revision (uint64 big-endian). */
export const ETCD_AUTH_KEYS = { enabled: 'authEnabled', revision: 'authRevision' } as const;

/** Key of the cluster bucket holding the cluster version ("3.4.0"). */
export const ETCD_CLUSTER_VERSION_KEY = 'clusterVersion';

// ---- encoders (writing etcd's files) -------------------------------------------------------------

/** A uint64 as 8 big-endian bytes (meta's consistent index and term, the auth revision, lease keys). */
export function etcdUint64(n: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(n)));
  return b;
}

/** leasepb.Lease {ID, TTL, RemainingTTL} as gogo marshals it (zero fields left out). */
export function encodeEtcdLease(lease: { id: bigint; ttl: number; remainingTtl?: number }): Buffer {
  const fields: [tag: number, value: bigint][] = [
    [0x08, lease.id],
    [0x10, BigInt(lease.ttl)],
    [0x18, BigInt(lease.remainingTtl ?? 0)],
  ];
  const present = fields.filter(([, v]) => v !== 0n);
  const buf = Buffer.alloc(present.reduce((n, [, v]) => n + 1 + uint64VarintSize(v), 0));
  let pos = 0;
  for (const [tag, v] of present) {
    buf[pos++] = tag;
    pos = writeUint64Varint(buf, pos, v);
  }
  return buf;
}

export interface EtcdUser {
  name: string;
  /** The bcrypt hash; empty for a user without a password. */
  password: string;
  roles: readonly string[];
  noPassword: boolean;
}

/** authpb.User, the value under the user's name in authUsers. */
export function encodeEtcdUser(user: EtcdUser): Buffer {
  const message: Record<string, unknown> = { name: Buffer.from(user.name) };
  if (user.password) message.password = Buffer.from(user.password);
  if (user.roles.length) message.roles = [...user.roles];
  if (user.noPassword) message.options = { no_password: true };
  return encodeMessage('authpb.User', message);
}

export interface EtcdRole {
  name: string;
  permissions: readonly { permType: 'READ' | 'WRITE' | 'READWRITE'; key: Buffer; rangeEnd: Buffer }[];
}

/** authpb.Role, the value under the role's name in authRoles. */
export function encodeEtcdRole(role: EtcdRole): Buffer {
  const message: Record<string, unknown> = { name: Buffer.from(role.name) };
  if (role.permissions.length) {
    message.keyPermission = role.permissions.map((p) => {
      const permission: Record<string, unknown> = {};
      if (p.permType !== 'READ') permission.permType = p.permType;
      if (p.key.length) permission.key = p.key;
      if (p.rangeEnd.length) permission.range_end = p.rangeEnd;
      return permission;
    });
  }
  return encodeMessage('authpb.Role', message);
}

/** An active alarm's key in the alarm bucket: etcdserverpb.AlarmMember (the value is empty). */
export function encodeEtcdAlarmKey(memberId: bigint, alarm: 'NOSPACE' | 'CORRUPT'): Buffer {
  return encodeMessage('etcdserverpb.AlarmMember', { memberID: memberId.toString(), alarm });
}

export interface EtcdMember {
  id: bigint;
  name: string;
  peerURLs: readonly string[];
  clientURLs: readonly string[];
}

/** A member's key in the members bucket: its ID in hex (Go's types.ID.String()). */
export function etcdMemberKey(id: bigint): Buffer {
  return Buffer.from(id.toString(16));
}

/** A member's value in the members bucket: membership.Member as Go's encoding/json writes it. */
export function encodeEtcdMember(member: EtcdMember): Buffer {
  // the ID is a uint64 JSON number, beyond what a JS number holds exactly: spliced in as digits
  const parts = [`{"id":${member.id.toString()}`, `"peerURLs":${JSON.stringify(member.peerURLs)}`];
  if (member.name) parts.push(`"name":${JSON.stringify(member.name)}`);
  if (member.clientURLs.length) parts.push(`"clientURLs":${JSON.stringify(member.clientURLs)}`);
  return Buffer.from(parts.join(',') + '}');
}

function encodeMessage(type: string, message: Record<string, unknown>): Buffer {
  const t = protoRoot().lookupType(type);
  return Buffer.from(t.encode(t.fromObject(message)).finish());
}
