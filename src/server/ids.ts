import { createHash } from 'node:crypto';

/** Milliseconds since the epoch; injected so lease expiry can be tested without sleeping. */
export type Clock = () => number;

/** etcd's member ID: sha1 of the sorted peer URLs and the cluster token, first 8 bytes big-endian. */
export function computeMemberId(peerUrls: string[], clusterToken: string): bigint {
  const joined = [...peerUrls].sort().join('') + clusterToken;
  return createHash('sha1').update(joined).digest().readBigUInt64BE(0);
}

/** etcd's cluster ID: sha1 over the sorted member IDs, first 8 bytes big-endian. */
export function computeClusterId(memberIds: bigint[]): bigint {
  const buf = Buffer.alloc(8 * memberIds.length);
  [...memberIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).forEach((id, i) => buf.writeBigUInt64BE(id, 8 * i));
  return createHash('sha1').update(buf).digest().readBigUInt64BE(0);
}

/**
 * etcd's request/lease ID generator (pkg/idutil): 16 bits of the member ID, then 40 bits of the
 * start time in ms and an 8-bit counter that carries into the time part.
 */
export function idGenerator(memberId: bigint, nowMs: number): () => bigint {
  const prefix = (memberId & 0xffffn) << 48n;
  let suffix = (BigInt(nowMs) & ((1n << 40n) - 1n)) << 8n;
  const mask = (1n << 48n) - 1n;
  return () => {
    suffix++;
    // leases IDs are int64 on the wire, so etcd clears the top bit
    return (prefix | (suffix & mask)) & ((1n << 63n) - 1n);
  };
}
