import { OPEN_RANGE_END, prefixRange } from '../../api/primitives/key-range.js';

// The [key, range_end) that etcdctl's --prefix and --from-key flags ask for.

export interface KeyRangeOptions {
  prefix: boolean;
  fromKey: boolean;
}

/** The [key, range_end) a get/del/watch asks for, with etcdctl's empty-key rules. */
export function keyRange(keyText: string | Buffer, rangeEndText: string | Buffer | undefined, opts: KeyRangeOptions): { key: Buffer; rangeEnd?: Buffer } {
  let key: Buffer = Buffer.from(keyText);
  let rangeEnd: Buffer | undefined = rangeEndText === undefined ? undefined : Buffer.from(rangeEndText);
  if (opts.prefix) ({ key, rangeEnd } = prefixRange(key));
  if (opts.fromKey) {
    if (key.length === 0) key = Buffer.from(OPEN_RANGE_END);
    rangeEnd = Buffer.from(OPEN_RANGE_END);
  }
  return { key, rangeEnd };
}
