import type { Change } from '../mvcc/store.js';

// The database size etcd's quota is checked against, as etcd's bbolt would grow it for the same writes.
// etcd checks `backend size + request cost > quota`, where the backend size is bbolt's high-water page
// (pgid × 4096), updated at each batch commit (every 100 ms, or sooner at 10,000 writes). bbolt never
// splits a leaf of four entries or fewer, so with 100 kB values every commit copies the whole growing
// leaf of the 'key' bucket to new contiguous pages (25, 49, 74, 98 pages), and the pages it frees are
// only reusable from the next commit on: the file's high-water mark runs ahead of the data. Our lmdb
// file grows differently (pages of one value are reused at once), so the quota uses this model, not
// lmdb's size; `endpoint status` still reports lmdb's real size.

const PAGE = 4096;
const PAGE_HEADER = 16;
const LEAF_ELEMENT = 16;
const BRANCH_ELEMENT = 16;
/** A 'key' bucket key: 8-byte main revision, '_', 8-byte sub revision (+ 't' for a tombstone). */
const REVISION_KEY = 17;
/** The mvccpb.KeyValue around a key and value: tags, lengths, three revisions, a lease. */
const KV_PROTO_OVERHEAD = 20;
/** bbolt: a node splits only above this many entries (minKeysPerPage × 2). */
const MIN_KEYS_PER_PAGE = 2;
/** etcd sets the 'key' bucket's fill percent to 0.9 (sequential inserts). */
const FILL_PERCENT = 0.9;
/** etcd's backend batch: a commit every 100 ms, or once 10,000 writes are pending. */
export const BATCH_INTERVAL_MS = 100;
const BATCH_LIMIT = 10_000;
/** A fresh etcd's db: two meta pages, the free list and the buckets etcd creates at start. */
export const FRESH_DB_BYTES = 5 * PAGE;

/** bbolt's array free list: runs of free pages, allocated first fit; pages freed by a commit are pending until the next. */
class FreeList {
  private runs: [start: number, length: number][] = [];
  private pending: [start: number, length: number][] = [];

  /** The first run of n contiguous free pages, or null. */
  allocate(n: number): number | null {
    for (let i = 0; i < this.runs.length; i++) {
      const run = this.runs[i]!;
      if (run[1] < n) continue;
      const start = run[0];
      if (run[1] === n) this.runs.splice(i, 1);
      else this.runs[i] = [start + n, run[1] - n];
      return start;
    }
    return null;
  }

  free(start: number, length: number): void {
    if (length > 0) this.pending.push([start, length]);
  }

  /** At the start of a commit: what earlier commits freed becomes allocatable (etcd holds no older reader then). */
  release(): void {
    if (this.pending.length === 0) return;
    const all = [...this.runs, ...this.pending].sort((a, b) => a[0] - b[0]);
    this.pending = [];
    const merged: [number, number][] = [];
    for (const [start, length] of all) {
      const last = merged[merged.length - 1];
      if (last && last[0] + last[1] === start) last[1] += length;
      else merged.push([start, length]);
    }
    this.runs = merged;
  }
}

/** The pages a node of these entry sizes takes. */
function pagesFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PAGE));
}

/** bbolt's node.split: pieces of at least two entries, cut where a page reaches the fill threshold. */
function split(entries: number[]): number[][] {
  const nodes: number[][] = [];
  let rest = entries;
  for (;;) {
    const size = PAGE_HEADER + rest.reduce((sum, e) => sum + e, 0);
    if (rest.length <= MIN_KEYS_PER_PAGE * 2 || size < PAGE) break;
    let index = 0;
    let sz = PAGE_HEADER;
    for (let i = 0; i < rest.length - MIN_KEYS_PER_PAGE; i++) {
      index = i;
      if (i >= MIN_KEYS_PER_PAGE && sz + rest[i]! > PAGE * FILL_PERCENT) break;
      sz += rest[i]!;
    }
    if (index === 0) break;
    nodes.push(rest.slice(0, index));
    rest = rest.slice(index);
  }
  nodes.push(rest);
  return nodes;
}

/** Bytes a change adds to etcd's 'key' bucket leaf: the element header, the revision key and the KeyValue. */
export function keyBucketEntryBytes(change: Change): number {
  const kv = change.kv;
  const value = change.deleted ? kv.key.length + 4 : kv.key.length + kv.value.length + KV_PROTO_OVERHEAD;
  return LEAF_ELEMENT + REVISION_KEY + (change.deleted ? 1 : 0) + value;
}

export class EtcdDbGrowth {
  private highWater: number;
  private freeList = new FreeList();
  /** Entries of the 'key' bucket's last leaf (new revisions always land there) and the pages it sits on. */
  private openLeaf: number[] = [];
  private openLeafAt: [start: number, length: number] | null = null;
  private sealedLeaves = 0;
  private branchAt: [start: number, length: number] | null = null;
  /** Writes since the last commit, and when that batch began. */
  private batch: number[] = [];
  private batchStartedAt = 0;

  /** `inUse`: bytes the live data takes now (after a compaction, what etcd's file still holds). */
  constructor(initialBytes: number, private readonly now: () => number, private readonly inUse: () => number) {
    this.highWater = pagesFor(Math.max(initialBytes, FRESH_DB_BYTES));
  }

  /** The db size etcd's quota check would see now: its high-water mark as of the last commit. */
  size(): number {
    if (this.batch.length && this.now() - this.batchStartedAt >= BATCH_INTERVAL_MS) this.commit();
    return this.highWater * PAGE;
  }

  /** A write transaction's changes, as etcd's backend would put them into its current batch. */
  wrote(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    if (this.batch.length && this.now() - this.batchStartedAt >= BATCH_INTERVAL_MS) this.commit();
    if (this.batch.length === 0) this.batchStartedAt = this.now();
    for (const change of changes) this.batch.push(keyBucketEntryBytes(change));
    if (this.batch.length >= BATCH_LIMIT) this.commit();
  }

  /**
   * After a compaction: etcd's file does not shrink, but the pages of the revisions it removed become free
   * for later commits. Without this, a store that overwrites and compacts would look ever-growing.
   */
  compacted(): void {
    if (this.batch.length) this.commit();
    const live = pagesFor(FRESH_DB_BYTES) + pagesFor(this.inUse());
    this.freeList = new FreeList();
    if (live < this.highWater) this.freeList.free(live, this.highWater - live);
    this.openLeafAt = null;
    this.branchAt = null;
  }

  /** After a defragment: etcd's file is rewritten compactly, so start again from the real size. */
  reset(bytes: number): void {
    this.highWater = pagesFor(Math.max(bytes, FRESH_DB_BYTES));
    this.freeList = new FreeList();
    this.openLeaf = [];
    this.openLeafAt = null;
    this.sealedLeaves = 0;
    this.branchAt = null;
    this.batch = [];
  }

  /** One bbolt commit: the last leaf (split as bbolt splits it) and the branch above it go to new pages. */
  private commit(): void {
    this.freeList.release();
    const nodes = split([...this.openLeaf, ...this.batch]);
    this.batch = [];
    if (this.openLeafAt) this.freeList.free(...this.openLeafAt);
    for (const node of nodes.slice(0, -1)) this.allocate(pagesFor(PAGE_HEADER + node.reduce((sum, e) => sum + e, 0)));
    this.sealedLeaves += nodes.length - 1;
    this.openLeaf = nodes[nodes.length - 1]!;
    const leafPages = pagesFor(PAGE_HEADER + this.openLeaf.reduce((sum, e) => sum + e, 0));
    this.openLeafAt = [this.allocate(leafPages), leafPages];
    if (this.sealedLeaves > 0) {
      // the path from the bucket root to the last leaf: one page per branch level
      if (this.branchAt) this.freeList.free(...this.branchAt);
      const fanout = Math.floor((PAGE * FILL_PERCENT) / (BRANCH_ELEMENT + REVISION_KEY));
      let levels = 1;
      for (let leaves = this.sealedLeaves + 1; leaves > fanout; leaves = Math.ceil(leaves / fanout)) levels++;
      this.branchAt = [this.allocate(levels), levels];
    }
  }

  private allocate(pages: number): number {
    const start = this.freeList.allocate(pages);
    if (start !== null) return start;
    const end = this.highWater;
    this.highWater += pages;
    return end;
  }
}
