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
  return Buffer.from([0]);
}
