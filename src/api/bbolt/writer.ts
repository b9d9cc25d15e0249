// Writes a bbolt file from buckets given in key order, streaming: each bucket's leaf pages go to disk
// as they fill, and only one key per page is kept to build the branch levels above them afterwards
// (bottom-up, as a bulk load). The file is laid out like a freshly compacted bbolt file: meta pages
// 0 and 1 (written last, once the root and the high-water mark are known), the buckets' pages, the
// root bucket's page, and an empty freelist. Pages are packed full; bbolt reads any fill, and
// re-splits what a later write transaction touches by its own fill percent.
import fs from 'node:fs/promises';
import {
  BRANCH_ELEMENT_SIZE,
  BRANCH_PAGE_FLAG,
  BUCKET_HEADER_SIZE,
  BUCKET_LEAF_FLAG,
  DEFAULT_PAGE_SIZE,
  freelistPageCount,
  LEAF_ELEMENT_SIZE,
  LEAF_PAGE_FLAG,
  leafPageSize,
  META_PAGE_FLAG,
  PAGE_HEADER_SIZE,
  writeBranchElements,
  writeBucketHeader,
  writeFreelistPage,
  writeLeafElements,
  writeMetaPage,
  writePageHeader,
  type BranchElement,
  type LeafElement,
} from './format.js';

export interface BboltRow {
  key: Uint8Array;
  value: Uint8Array;
}

/** Bytes written to the file at a time. */
const WRITE_CHUNK = 1024 * 1024;
/** The txid both meta pages carry (bbolt's WriteTo gives both the same meta). */
const TXID = 1;

const compareBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b);

/** Appends pages to the file from page 2 on, in chunks; pages 0 and 1 are the metas, written at the end. */
class PageSink {
  nextPgid = 2;
  private chunk: Buffer;
  private used = 0;
  private flushedPages = 2;

  constructor(private readonly file: fs.FileHandle, readonly pageSize: number) {
    this.chunk = Buffer.alloc(WRITE_CHUNK);
  }

  /** Room for `pages` pages, zeroed; returns where they start in `buf` and their first page id. */
  allocate(pages: number): { buf: Buffer; offset: number; pgid: number } {
    const bytes = pages * this.pageSize;
    if (this.used + bytes > this.chunk.length) this.spill(bytes);
    const offset = this.used;
    this.used += bytes;
    const pgid = this.nextPgid;
    this.nextPgid += pages;
    return { buf: this.chunk, offset, pgid };
  }

  /** Moves the filled part of the chunk to the write queue and starts a fresh chunk with room for `bytes`. */
  private spill(bytes: number): void {
    if (this.used > 0) this.queued.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.alloc(Math.max(WRITE_CHUNK, bytes));
    this.used = 0;
  }

  private queued: Buffer[] = [];

  /** True when enough is queued that the caller should await flush() before adding more. */
  get full(): boolean {
    return this.queued.length > 0;
  }

  async flush(all = false): Promise<void> {
    if (all) this.spill(0);
    for (const data of this.queued) {
      await this.file.write(data, 0, data.length, this.flushedPages * this.pageSize);
      this.flushedPages += data.length / this.pageSize;
    }
    this.queued = [];
  }
}

/**
 * Packs elements into pages of one tree level: a page is written once the next element would not fit
 * (an element too big for a page alone gets overflow pages). Keeps the first key and page id of each
 * page written, for the level above.
 */
class LevelBuilder<E extends LeafElement | BranchElement> {
  private elements: E[] = [];
  private size = PAGE_HEADER_SIZE;
  readonly pages: BranchElement[] = [];

  constructor(
    private readonly sink: PageSink,
    private readonly branch: boolean,
  ) {}

  private elementSize(e: E): number {
    return this.branch ? BRANCH_ELEMENT_SIZE + e.key.length : LEAF_ELEMENT_SIZE + e.key.length + (e as LeafElement).value.length;
  }

  add(e: E): void {
    const size = this.elementSize(e);
    if (this.elements.length > 0 && this.size + size > this.sink.pageSize) this.writePage();
    this.elements.push(e);
    this.size += size;
  }

  /** Bytes of the page being filled (header included), and whether nothing has been written yet. */
  get pendingSize(): number {
    return this.size;
  }

  get pending(): readonly E[] {
    return this.elements;
  }

  writePage(): void {
    const pages = Math.ceil(this.size / this.sink.pageSize);
    const { buf, offset, pgid } = this.sink.allocate(pages);
    writePageHeader(buf, offset, {
      id: pgid,
      flags: this.branch ? BRANCH_PAGE_FLAG : LEAF_PAGE_FLAG,
      count: this.elements.length,
      overflow: pages - 1,
    });
    if (this.branch) writeBranchElements(buf, offset, this.elements as BranchElement[]);
    else writeLeafElements(buf, offset, this.elements as LeafElement[]);
    // an empty page only as the root of an empty tree, which has no parent to name it
    this.pages.push({ key: Buffer.from(this.elements[0]?.key ?? []), pgid });
    this.elements = [];
    this.size = PAGE_HEADER_SIZE;
  }
}

/** A bucket's rows as a tree: leaves as they come, then the branch levels; resolves to its root page. */
async function writeTree(sink: PageSink, leaves: LevelBuilder<LeafElement>): Promise<number> {
  if (leaves.pending.length > 0 || leaves.pages.length === 0) leaves.writePage();
  let level = leaves.pages;
  while (level.length > 1) {
    const branches = new LevelBuilder<BranchElement>(sink, true);
    for (const e of level) branches.add(e);
    branches.writePage();
    level = branches.pages;
    if (sink.full) await sink.flush();
  }
  return level[0]!.pgid;
}

export class BboltWriter {
  private readonly sink: PageSink;
  /** The root bucket's elements: one per bucket, in name order. */
  private readonly buckets: LeafElement[] = [];
  private closed = false;

  private constructor(private readonly file: fs.FileHandle, private readonly pageSize: number) {
    this.sink = new PageSink(file, pageSize);
  }

  /** Creates (truncating) `path` for writing. */
  static async create(path: string, pageSize = DEFAULT_PAGE_SIZE): Promise<BboltWriter> {
    return new BboltWriter(await fs.open(path, 'w', 0o600), pageSize);
  }

  /**
   * Adds a top-level bucket with `rows`, which must come in strictly ascending key order (bbolt's
   * bytes.Compare); bucket names must come in ascending order too. A small bucket is stored inline in
   * its parent's leaf, as bbolt does (pageSize / 4 at most).
   */
  async addBucket(name: Uint8Array, rows: Iterable<BboltRow>): Promise<void> {
    const last = this.buckets[this.buckets.length - 1];
    if (name.length === 0) throw new Error('bbolt writer: empty bucket name');
    if (last && compareBytes(last.key, name) >= 0) throw new Error(`bbolt writer: bucket ${Buffer.from(name).toString()} out of order`);
    const leaves = new LevelBuilder<LeafElement>(this.sink, false);
    let previous: Buffer | undefined;
    for (const row of rows) {
      if (row.key.length === 0) throw new Error('bbolt writer: empty key');
      // lmdb hands out views of reused memory: copy what the page keeps until it is written
      const key = Buffer.from(row.key);
      if (previous && compareBytes(previous, key) >= 0) throw new Error('bbolt writer: keys out of order');
      previous = key;
      leaves.add({ flags: 0, key, value: Buffer.from(row.value) });
      if (this.sink.full) await this.sink.flush();
    }
    const value = leaves.pages.length === 0 && leaves.pendingSize <= this.pageSize / 4 ? inlineBucket(leaves.pending) : undefined;
    if (value) this.buckets.push({ flags: BUCKET_LEAF_FLAG, key: Buffer.from(name), value });
    else {
      const root = await writeTree(this.sink, leaves);
      const header = Buffer.alloc(BUCKET_HEADER_SIZE);
      writeBucketHeader(header, 0, root, 0n);
      this.buckets.push({ flags: BUCKET_LEAF_FLAG, key: Buffer.from(name), value: header });
    }
  }

  /** Writes the root bucket, the freelist and the meta pages; returns the file's size in bytes. */
  async finish(): Promise<number> {
    if (this.closed) throw new Error('bbolt writer: finished twice');
    this.closed = true;
    try {
      const rootLeaves = new LevelBuilder<LeafElement>(this.sink, false);
      for (const bucket of this.buckets) rootLeaves.add(bucket);
      const root = await writeTree(this.sink, rootLeaves);
      const freelistPages = freelistPageCount(0, this.pageSize);
      const freelist = this.sink.allocate(freelistPages);
      writeFreelistPage(freelist.buf, freelist.offset, freelist.pgid, [], this.pageSize);
      await this.sink.flush(true);
      const highWater = this.sink.nextPgid;
      const metas = Buffer.alloc(2 * this.pageSize);
      for (const i of [0, 1]) {
        const meta = { pageSize: this.pageSize, flags: 0, root, sequence: 0n, freelist: BigInt(freelist.pgid), pgid: highWater, txid: TXID };
        writeMetaPage(metas, i * this.pageSize, meta);
        // both pages carry the same meta; each keeps its own id (bbolt's WriteTo)
        writePageHeader(metas, i * this.pageSize, { id: i, flags: META_PAGE_FLAG, count: 0, overflow: 0 });
      }
      await this.file.write(metas, 0, metas.length, 0);
      await this.file.sync();
      return highWater * this.pageSize;
    } finally {
      await this.file.close();
    }
  }

  /** Closes the file without finishing it (after a failure). */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }
}

/** A bucket value holding its whole (single-leaf) tree: header with root 0, then the leaf page. */
function inlineBucket(elements: readonly LeafElement[]): Buffer {
  const size = leafPageSize(elements);
  const value = Buffer.alloc(BUCKET_HEADER_SIZE + size);
  writeBucketHeader(value, 0, 0, 0n);
  writePageHeader(value, BUCKET_HEADER_SIZE, { id: 0, flags: LEAF_PAGE_FLAG, count: elements.length, overflow: 0 });
  writeLeafElements(value, BUCKET_HEADER_SIZE, elements);
  return value;
}
