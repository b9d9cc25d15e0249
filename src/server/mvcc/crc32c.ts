// CRC-32 with the Castagnoli polynomial, the hash etcd uses for Hash and HashKV.
const TABLE = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c;
  }
  return table;
})();

export class Crc32c {
  private crc = ~0;
  update(data: Uint8Array | string): this {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let crc = this.crc;
    for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
    this.crc = crc;
    return this;
  }
  digest(): number {
    return ~this.crc >>> 0;
  }
}
