// etcd's backend layout, shared by our server's store, the bbolt snapshot reader and writer: the bucket
// names, the meta keys, and the revision keys of the `key` bucket (whose values are mvccpb.KeyValue, see
// server/mvcc/key-value.ts).
import { protoRoot } from './proto.js';
import { uint64VarintSize, VarintReader, writeUint64Varint } from './primitives/varint.js';

/** etcd 3.4/3.5's buckets (mvcc, lease, auth, alarm, membership). */
export const ETCD_BUCKETS = {
  key: 'key',
  meta: 'meta',
  lease: 'lease',
  alarm: 'alarm',
  auth: 'auth',
  authUsers: 'authUsers',
  authRoles: 'authRoles',
  members: 'members',
  membersRemoved: 'members_removed',
  cluster: 'cluster',
} as const;

/** Keys of the `meta` bucket: 8-byte big-endian values. */
export const META_CONSISTENT_INDEX = Buffer.from('consistent_index');
/** etcd 3.5+: the raft term of the consistent index. */
export const META_TERM = Buffer.from('term');
export const META_SCHEDULED_COMPACT = Buffer.from('scheduledCompactRev');
export const META_FINISHED_COMPACT = Buffer.from('finishedCompactRev');

/** A meta bucket value: a big-endian uint64 (below 2^53 in practice). */
/** Reads 8 big-endian bytes at pos as a number (revisions stay below 2^53). */
function uint64At(b: Uint8Array, pos: number): number {
  const hi = ((b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]) >>> 0;
  const lo = ((b[pos + 4] << 24) | (b[pos + 5] << 16) | (b[pos + 6] << 8) | b[pos + 7]) >>> 0;
  return hi * 0x100000000 + lo;
}

// straight from the bytes: a Buffer view per call was a tenth of a restore's time at a million keys
export function decodeMetaUint(value: Uint8Array): number {
  return uint64At(value, 0);
}

export function encodeMetaUint(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(Math.floor(n / 0x100000000), 0);
  b.writeUInt32BE(n >>> 0, 4);
  return b;
}

// A revision key: 8-byte big-endian main revision, '_', 8-byte big-endian sub revision, and a trailing
// 't' for a tombstone. Ordered byte-wise, so a cursor walks the history in revision order.

export const REV_BYTES_LEN = 17;

export function revToBytes(main: number, sub: number, tombstone = false): Buffer {
  const buf = Buffer.allocUnsafe(tombstone ? REV_BYTES_LEN + 1 : REV_BYTES_LEN);
  buf.writeUInt32BE(Math.floor(main / 0x100000000), 0);
  buf.writeUInt32BE(main >>> 0, 4);
  buf[8] = 0x5f;
  buf.writeUInt32BE(Math.floor(sub / 0x100000000), 9);
  buf.writeUInt32BE(sub >>> 0, 13);
  if (tombstone) buf[REV_BYTES_LEN] = 0x74;
  return buf;
}

export function revMainOf(bytes: Uint8Array): number {
  return decodeMetaUint(bytes);
}

export function revSubOf(bytes: Uint8Array): number {
  return uint64At(bytes, 9);
}

export function isTombstone(bytes: Uint8Array): boolean {
  return bytes.length === REV_BYTES_LEN + 1 && bytes[REV_BYTES_LEN] === 0x74;
}

// ---- the other buckets' values, for writing etcd's files (the bbolt writer's side) -----------------

/** Keys of the auth bucket: the enabled flag (one byte, 1 or 0) and the auth revision (uint64 big-endian). */
export const ETCD_AUTH_KEYS = { enabled: 'authEnabled', revision: 'authRevision' } as const;

/** Key of the cluster bucket holding the cluster version ("3.4.0"). */
export const ETCD_CLUSTER_VERSION_KEY = 'clusterVersion';


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

// ---- ... and for reading them back (loading an etcd backend into another store) ------------------

/** leasepb.Lease as etcd stores it under the lease's ID (three int64 varints; not in our precompiled schema). */
export function decodeEtcdLease(value: Uint8Array): { id: bigint; ttl: number; remainingTtl: number } {
  const reader = new VarintReader(value);
  const fields = new Map<number, bigint>();
  while (reader.pos < value.length) {
    const tag = reader.varint();
    if (tag !== 0x08 && tag !== 0x10 && tag !== 0x18) throw new Error(`leasepb.Lease: unexpected tag ${tag}`);
    fields.set(tag, BigInt.asIntN(64, reader.uint64()));
  }
  return { id: fields.get(0x08) ?? 0n, ttl: Number(fields.get(0x10) ?? 0n), remainingTtl: Number(fields.get(0x18) ?? 0n) };
}

/** authpb.User from the authUsers bucket. */
export function decodeEtcdUser(value: Uint8Array): EtcdUser {
  const message = decodeMessage('authpb.User', value);
  const options = message.options as { no_password?: boolean } | undefined;
  return {
    name: Buffer.from(message.name as Uint8Array).toString(),
    password: Buffer.from(message.password as Uint8Array).toString(),
    roles: message.roles as string[],
    noPassword: options?.no_password === true,
  };
}

/** authpb.Role from the authRoles bucket. */
export function decodeEtcdRole(value: Uint8Array): EtcdRole {
  const message = decodeMessage('authpb.Role', value);
  const permissions = (message.keyPermission as { permType: EtcdRole['permissions'][number]['permType']; key: Uint8Array; range_end: Uint8Array }[]).map((p) => ({
    permType: p.permType,
    key: Buffer.from(p.key),
    rangeEnd: Buffer.from(p.range_end),
  }));
  return { name: Buffer.from(message.name as Uint8Array).toString(), permissions };
}

/** An alarm bucket key (etcdserverpb.AlarmMember). */
export function decodeEtcdAlarmKey(key: Uint8Array): { memberId: bigint; alarm: 'NONE' | 'NOSPACE' | 'CORRUPT' } {
  const message = decodeMessage('etcdserverpb.AlarmMember', key);
  return { memberId: BigInt(String(message.memberID)), alarm: message.alarm as 'NONE' | 'NOSPACE' | 'CORRUPT' };
}

function decodeMessage(type: string, bytes: Uint8Array): Record<string, unknown> {
  const t = protoRoot().lookupType(type);
  return t.toObject(t.decode(bytes), { longs: String, enums: String, bytes: Buffer, defaults: true, arrays: true });
}
