// get's paged mode (our extension, see README "Paged reads"): a large range is read as a run of Range requests at
// one revision (the first page's, or --rev), each starting just after the last key of the page before, so no
// response and none of the client's memory grows with the range. What the printers get is what one Range
// would have answered, field for field: etcd counts the whole rest of the range in every response, so the first
// page's count is the total, its header is the one etcdctl would print, and `more` is the last page's.
import type { KeyValue, RangeRequestInit, RangeResponse } from '../api/wire-types.generated.js';
import type { EtcdClient } from '../client/client.js';
import { asBytes, big } from './printers/go-format.js';

/**
 * The most keys one page asks for (`--page-size`); 0 turns paging off. etcd counts the rest of the range for
 * every page, so pages are few (n/10,000 of them) while PAGE_BYTES keeps each small.
 */
export const DEFAULT_PAGE_SIZE = 10000n;
/** The first page is small, so a range of big values never arrives as one huge page before we know their size. */
const FIRST_PAGE_KEYS = 100n;
/** Later pages aim at about this many bytes of keys and values. */
const PAGE_BYTES = 4 * 1024 * 1024;
/** What a KeyValue costs beyond its key and value (revisions, lease, framing), for the estimate above. */
const KV_OVERHEAD_BYTES = 48;

/** A range read page by page: the first response, then every page's keys (the first's included) as they arrive. */
export interface RangePages {
  first: RangeResponse;
  kvs: AsyncIterable<KeyValue[]>;
  /** Whether keys beyond --limit exist; known once `kvs` is exhausted. */
  more(): boolean;
}

/**
 * Whether paging gives exactly one Range's answer. Not for a single key, a count, an order other than by key
 * ascending (etcd sorts the whole range for each request) or the revision filters (etcd then reads the whole
 * rest of the range for every page): those stay one request.
 */
export function pageable(r: RangeRequestInit): boolean {
  const filtered = [r.min_mod_revision, r.max_mod_revision, r.min_create_revision, r.max_create_revision].some((v) => big(v) !== 0n);
  // etcd sorts ascending by any target other than the key even when no order is given.
  const byKey = (r.sort_order ?? 'NONE') === 'NONE' && (r.sort_target ?? 'KEY') === 'KEY';
  return asBytes(r.range_end).length > 0 && byKey && !r.count_only && !filtered;
}

/** Keys for the next page: as many as fit PAGE_BYTES at the largest pair seen so far, within 1..pageSize. */
function nextPageKeys(kvs: KeyValue[], pageSize: bigint): bigint {
  let largest = 1;
  for (const kv of kvs) largest = Math.max(largest, asBytes(kv.key).length + asBytes(kv.value).length + KV_OVERHEAD_BYTES);
  const fit = BigInt(Math.max(1, Math.floor(PAGE_BYTES / largest)));
  return fit < pageSize ? fit : pageSize;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** Sends the first page (so its errors come first, as etcdctl's one request's would); the rest follow as iterated. */
export async function readRangePages(
  client: EtcdClient,
  request: RangeRequestInit,
  opts: { pageSize: bigint; timeoutMs?: number },
): Promise<RangePages> {
  const userLimit = big(request.limit);
  const capped = (keys: bigint, read: bigint) => (userLimit > 0n ? min(keys, userLimit - read) : keys);
  const call = { timeoutMs: opts.timeoutMs };
  const first = await client.kv.range({ ...request, limit: capped(min(opts.pageSize, FIRST_PAGE_KEYS), 0n).toString() }, call);
  let more = Boolean(first.more);
  const revision = big(request.revision) > 0n ? big(request.revision) : big(first.header?.revision);

  async function* pages(): AsyncGenerator<KeyValue[]> {
    let page = first;
    let read = 0n;
    for (;;) {
      const kvs = page.kvs ?? [];
      read += BigInt(kvs.length);
      more = Boolean(page.more);
      yield kvs;
      if (!more || kvs.length === 0 || (userLimit > 0n && read >= userLimit)) return;
      const last = asBytes(kvs[kvs.length - 1]!.key);
      const limit = capped(nextPageKeys(kvs, opts.pageSize), read);
      page = await client.kv.range(
        { ...request, key: Buffer.concat([last, Buffer.from([0])]), revision: revision.toString(), limit: limit.toString() },
        call,
      );
    }
  }
  return { first, kvs: pages(), more: () => more };
}
