// FNV-1a, 64 bits: bbolt's meta page checksum (Go's hash/fnv New64a). Kept in four 16-bit limbs so the
// multiply stays exact in doubles (no BigInt loop, which Node 20's optimizing compiler mishandles).
const PRIME_LOW = 0x01b3; // FNV-64 prime 0x100000001b3: limb 0 is 0x01b3, limb 2 is 0x0100
const PRIME_LIMB2 = 0x0100;

export function fnv64a(data: Uint8Array): bigint {
  // offset basis 0xcbf29ce484222325, low limb first
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < data.length; i++) {
    h0 ^= data[i]!;
    const r0 = h0 * PRIME_LOW;
    const r1 = h1 * PRIME_LOW + Math.floor(r0 / 0x10000);
    const r2 = h2 * PRIME_LOW + h0 * PRIME_LIMB2 + Math.floor(r1 / 0x10000);
    const r3 = h3 * PRIME_LOW + h1 * PRIME_LIMB2 + Math.floor(r2 / 0x10000);
    h0 = r0 & 0xffff;
    h1 = r1 & 0xffff;
    h2 = r2 & 0xffff;
    h3 = r3 & 0xffff;
  }
  return (BigInt(h3 * 0x10000 + h2) << 32n) | BigInt(h1 * 0x10000 + h0);
}
