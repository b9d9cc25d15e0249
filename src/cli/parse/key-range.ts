// Range ends as clientv3 computes them for --prefix and --from-key.

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

export interface KeyRangeOptions {
  prefix: boolean;
  fromKey: boolean;
}

/** The [key, range_end) a get/del/watch asks for, with etcdctl's empty-key rules. */
export function keyRange(keyText: string | Buffer, rangeEndText: string | Buffer | undefined, opts: KeyRangeOptions): { key: Buffer; rangeEnd?: Buffer } {
  let key: Buffer = Buffer.from(keyText);
  let rangeEnd: Buffer | undefined = rangeEndText === undefined ? undefined : Buffer.from(rangeEndText);
  if (opts.prefix) {
    if (key.length === 0) {
      key = Buffer.from([0]);
      rangeEnd = Buffer.from([0]);
    } else rangeEnd = prefixRangeEnd(key);
  }
  if (opts.fromKey) {
    if (key.length === 0) key = Buffer.from([0]);
    rangeEnd = Buffer.from([0]);
  }
  return { key, rangeEnd };
}
