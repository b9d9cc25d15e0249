// mvccpb.KeyValue as the server keeps it, and its protobuf encoding (the same bytes etcd stores in
// its "key" bucket, so HashKV over the same history gives etcd's hash).
import { uint64VarintSize, varintSize, VarintReader, writeUint64Varint, writeVarint } from '../../api/primitives/varint.js';

export interface KeyValue {
  key: Buffer;
  create_revision: number;
  mod_revision: number;
  version: number;
  value: Buffer;
  /** int64 lease ID in decimal; '0' when the key has no lease. */
  lease: string;
}

export const NO_LEASE = '0';
const EMPTY = Buffer.alloc(0);

/** A lease ID's varint: the int64's two's complement. */
function leaseVarint(lease: string): bigint {
  return BigInt.asUintN(64, BigInt(lease));
}

export function encodedKeyValueSize(kv: KeyValue): number {
  let size = 0;
  if (kv.key.length) size += 1 + varintSize(kv.key.length) + kv.key.length;
  if (kv.create_revision) size += 1 + varintSize(kv.create_revision);
  if (kv.mod_revision) size += 1 + varintSize(kv.mod_revision);
  if (kv.version) size += 1 + varintSize(kv.version);
  if (kv.value.length) size += 1 + varintSize(kv.value.length) + kv.value.length;
  if (kv.lease !== NO_LEASE) size += 1 + uint64VarintSize(leaseVarint(kv.lease));
  return size;
}

/** Writes kv at pos (gogoproto field order, zero fields omitted); returns the new position. */
export function writeKeyValue(buf: Buffer, pos: number, kv: KeyValue): number {
  if (kv.key.length) {
    buf[pos++] = 0x0a;
    pos = writeVarint(buf, pos, kv.key.length);
    pos += kv.key.copy(buf, pos);
  }
  if (kv.create_revision) {
    buf[pos++] = 0x10;
    pos = writeVarint(buf, pos, kv.create_revision);
  }
  if (kv.mod_revision) {
    buf[pos++] = 0x18;
    pos = writeVarint(buf, pos, kv.mod_revision);
  }
  if (kv.version) {
    buf[pos++] = 0x20;
    pos = writeVarint(buf, pos, kv.version);
  }
  if (kv.value.length) {
    buf[pos++] = 0x2a;
    pos = writeVarint(buf, pos, kv.value.length);
    pos += kv.value.copy(buf, pos);
  }
  if (kv.lease !== NO_LEASE) {
    buf[pos++] = 0x30;
    pos = writeUint64Varint(buf, pos, leaseVarint(kv.lease));
  }
  return pos;
}

export function encodeKeyValue(kv: KeyValue): Buffer {
  const buf = Buffer.allocUnsafe(encodedKeyValueSize(kv));
  writeKeyValue(buf, 0, kv);
  return buf;
}

export function decodeKeyValue(buf: Uint8Array): KeyValue {
  const kv: KeyValue = { key: EMPTY, create_revision: 0, mod_revision: 0, version: 0, value: EMPTY, lease: NO_LEASE };
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const r = new VarintReader(b);
  const bytes = (): Buffer => {
    const length = r.varint();
    const bytes = Buffer.from(b.subarray(r.pos, r.pos + length));
    r.pos += length;
    return bytes;
  };
  while (r.pos < b.length) {
    const tag = b[r.pos++];
    switch (tag) {
      case 0x0a: kv.key = bytes(); break;
      case 0x10: kv.create_revision = r.varint(); break;
      case 0x18: kv.mod_revision = r.varint(); break;
      case 0x20: kv.version = r.varint(); break;
      case 0x2a: kv.value = bytes(); break;
      case 0x30: kv.lease = BigInt.asIntN(64, r.uint64()).toString(); break;
      default: throw new Error(`corrupt KeyValue record (tag ${tag})`);
    }
  }
  return kv;
}

/**
 * The key (latin1) and lease of a stored KeyValue without decoding the rest: what a restore needs of
 * every row. Falls back to a full decode for a row whose key is not its first field.
 */
export function storedKeyAndLease(buf: Uint8Array): { id: string; lease: string } {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b[0] !== 0x0a) {
    const kv = decodeKeyValue(b);
    return { id: kv.key.toString('latin1'), lease: kv.lease };
  }
  const r = new VarintReader(b);
  r.pos = 1;
  const keyLength = r.varint();
  const id = b.toString('latin1', r.pos, r.pos + keyLength);
  r.pos += keyLength;
  let lease = NO_LEASE;
  while (r.pos < b.length) {
    const tag = b[r.pos++];
    if (tag === 0x2a) {
      const valueLength = r.varint(); // read before pos is: `r.pos += r.varint()` would add to the old pos
      r.pos += valueLength;
    }
    else if (tag === 0x30) lease = BigInt.asIntN(64, r.uint64()).toString();
    else if (tag === 0x10 || tag === 0x18 || tag === 0x20) r.varint();
    else throw new Error(`corrupt KeyValue record (tag ${tag})`);
  }
  return { id, lease };
}
