// CRC-32 with the Castagnoli polynomial: etcd's Hash, HashKV and snapshot status, and our WAL records.
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

export class Crc32c {
  private crc: number;

  /** `seed` continues a running checksum (Go's crc32.Update(seed, ...)), as etcd's WAL chains its records. */
  constructor(seed = 0) {
    this.crc = ~seed >>> 0;
  }

  /** A string counts as its UTF-8 bytes (etcd hashes bucket names this way); start/end hash part of the bytes. */
  update(data: Uint8Array | string, start = 0, end = data.length): this {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let crc = this.crc;
    for (let i = start; i < end; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
    this.crc = crc >>> 0;
    return this;
  }

  digest(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}
