export { computeClusterId, computeMemberId } from '../api/etcd-membership.js';

/** Milliseconds since the epoch; injected so lease expiry can be tested without sleeping. */
export type Clock = () => number;

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
