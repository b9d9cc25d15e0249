// etcd's backend key: 8-byte big-endian main revision, '_', 8-byte big-endian sub revision, and a
// trailing 't' for a tombstone. Ordered byte-wise, so a cursor walks the history in revision order.

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
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return b.readUInt32BE(0) * 0x100000000 + b.readUInt32BE(4);
}

export function revSubOf(bytes: Uint8Array): number {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return b.readUInt32BE(9) * 0x100000000 + b.readUInt32BE(13);
}

export function isTombstone(bytes: Uint8Array): boolean {
  return bytes.length === REV_BYTES_LEN + 1 && bytes[REV_BYTES_LEN] === 0x74;
}
