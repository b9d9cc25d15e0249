// Range ends as clientv3 computes them: a prefix's end, and the one-byte "\0" that means "no upper bound".

/** A range end of "\0": every key from the range's start on. */
export const OPEN_RANGE_END: Buffer = Buffer.from([0]);

/** clientv3.GetPrefixRangeEnd: the smallest key greater than every key with this prefix. */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  // Every byte is 0xff: no upper bound, so range to the end of the keyspace.
  return Buffer.from(OPEN_RANGE_END);
}

/** clientv3.WithPrefix on a key: an empty prefix is the whole keyspace, ["\0", "\0"). */
export function prefixRange(prefix: Buffer): { key: Buffer; rangeEnd: Buffer } {
  if (prefix.length === 0) return { key: Buffer.from(OPEN_RANGE_END), rangeEnd: Buffer.from(OPEN_RANGE_END) };
  return { key: prefix, rangeEnd: prefixRangeEnd(prefix) };
}
