// Range ends as clientv3 computes them for --prefix and --from-key.
import { prefixRangeEnd } from '../../client/prefix-range-end.js';

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
