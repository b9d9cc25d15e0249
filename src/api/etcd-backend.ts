// etcd's backend layout, shared by our server's store, the bbolt snapshot reader and writer: the bucket
// names, the meta keys, and the revision keys of the `key` bucket (whose values are mvccpb.KeyValue, see
// server/mvcc/key-value.ts).

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
export function decodeMetaUint(value: Uint8Array): number {
  const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return b.readUInt32BE(0) * 0x100000000 + b.readUInt32BE(4);
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
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return b.readUInt32BE(9) * 0x100000000 + b.readUInt32BE(13);
}

export function isTombstone(bytes: Uint8Array): boolean {
  return bytes.length === REV_BYTES_LEN + 1 && bytes[REV_BYTES_LEN] === 0x74;
}
