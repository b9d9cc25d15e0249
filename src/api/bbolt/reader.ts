// A read-only bbolt database over a file's bytes, as bbolt v1.3.6 (etcd 3.4's) opens one read-only: the page
// size from meta page 0, both metas validated, the valid meta with the higher txid chosen; buckets walked in
// key order through branch, leaf, overflow and inline pages; tx.Check()'s consistency errors word for word.
import { readSync } from 'node:fs';
import {
  BUCKET_HEADER_SIZE,
  BUCKET_LEAF_FLAG,
  BRANCH_PAGE_FLAG,
  DEFAULT_PAGE_SIZE,
  ERR_FILE_TOO_SMALL,
  ERR_INVALID,
  FREELIST_PAGE_FLAG,
  newLeafSpan,
  readLeafSpan,
  type LeafSpan,
  LEAF_ELEMENT_SIZE,
  LEAF_PAGE_FLAG,
  META_SIZE,
  PAGE_HEADER_SIZE,
  PGID_NO_FREELIST,
  type Meta,
  type PageHeader,
  pageType,
  readBranchElement,
  readBucketHeader,
  readFreelistIds,
  readMeta,
  readPageHeader,
  validateMeta,
} from './format.js';

/** An error bbolt returns from Open (its text is bbolt's). */
export class BboltOpenError extends Error {}

/**
 * What Go would hit as a crash (a page or element outside the file, an invalid freelist page): bbolt does
 * not check these and panics or faults; we stop with this instead.
 */
export class BboltCorruptError extends Error {}

/** A page reached through the tree: its bytes (from `offset` in `buf`), and its header. */
interface PageRef {
  /** The id it was read at (an inline page has none of its own). */
  id: number;
  buf: Buffer;
  offset: number;
  header: PageHeader;
}

/** Where the reader gets a file's bytes: all in memory, or read from a file as pages are visited. */
export interface ByteSource {
  readonly size: number;
  /** `length` bytes at `offset`, inside the file (the reader pads past its end). */
  read(offset: number, length: number): Buffer;
  /** Where in the file a view into bytes returned by read() lies, when the source can tell. */
  offsetOf(view: Buffer): number | undefined;
}

export function bufferSource(data: Buffer): ByteSource {
  return {
    size: data.length,
    read: (offset, length) => data.subarray(offset, offset + length),
    offsetOf: (view) => (view.buffer === data.buffer ? view.byteOffset - data.byteOffset : undefined),
  };
}

/** Pages read on demand with positioned reads (a snapshot can be larger than a Buffer Node reads whole). */
export function fileSource(fd: number, size: number): ByteSource {
  const starts = new WeakMap<ArrayBufferLike, number>();
  return {
    size,
    read: (offset, length) => {
      const buf = Buffer.alloc(length); // never pooled: its ArrayBuffer identifies it in offsetOf
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buf, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      starts.set(buf.buffer, offset - buf.byteOffset);
      return buf;
    },
    offsetOf: (view) => {
      const start = starts.get(view.buffer);
      return start === undefined ? undefined : start + view.byteOffset;
    },
  };
}

export class BboltReader {
  readonly pageSize: number;
  /** The meta a read transaction uses. */
  readonly meta: Meta;
  /** bbolt reads the file through mmap: past the end, up to the next OS page, it reads zeros; past that, it faults. */
  private readonly mapped: number;

  private constructor(private readonly source: ByteSource, pageSize: number, meta: Meta) {
    this.pageSize = pageSize;
    this.meta = meta;
    this.mapped = Math.ceil(source.size / DEFAULT_PAGE_SIZE) * DEFAULT_PAGE_SIZE;
  }

  /**
   * Opens a database file (a trailer after the pages, like etcd's sha256, is ignored as bbolt does). An
   * empty file is the caller's to refuse: bbolt would try to initialise it.
   */
  static open(file: Buffer | ByteSource): BboltReader {
    const source = Buffer.isBuffer(file) ? bufferSource(file) : file;
    // bbolt reads 4 KiB to learn the page size; a shorter file is invalid.
    if (source.size < DEFAULT_PAGE_SIZE) throw new BboltOpenError(ERR_INVALID);
    const metaBytes = PAGE_HEADER_SIZE + META_SIZE;
    const page0 = source.read(0, metaBytes);
    let pageSize = DEFAULT_PAGE_SIZE;
    if (validateMeta(page0, 0) === undefined) pageSize = readMeta(page0, 0).pageSize;
    if (source.size < pageSize * 2) throw new BboltOpenError(ERR_FILE_TOO_SMALL);
    const page1 = source.read(pageSize, metaBytes);
    const error0 = validateMeta(page0, 0);
    const error1 = validateMeta(page1, 0);
    if (error0 !== undefined && error1 !== undefined) throw new BboltOpenError(error0);
    const meta0 = readMeta(page0, 0);
    const meta1 = readMeta(page1, 0);
    // db.meta(): the higher txid if it validates, else the other.
    const [first, firstError, second] =
      meta1.txid > meta0.txid ? [meta1, error1, meta0] : [meta0, error0, meta1];
    return new BboltReader(source, pageSize, firstError === undefined ? first : second);
  }

  /** Where in the file a key or value returned by a bucket lies (to change it in place), when known. */
  fileOffsetOf(view: Buffer): number | undefined {
    return this.source.offsetOf(view);
  }

  /** tx.Size(): the high-water mark in bytes. */
  size(): number {
    return this.meta.pgid * this.pageSize;
  }

  /** The root bucket, whose entries are the top-level buckets. */
  root(): BboltBucket {
    return new BboltBucket(this, this.meta.root, undefined);
  }

  /** The first page stored at `id` (its header, and the bytes of that one page). */
  page(id: number): PageRef {
    return this.pageRef(id, 1);
  }

  /** The page with all its overflow pages: what its elements may span. */
  extent(page: PageRef): PageRef {
    return page.header.overflow === 0 ? page : this.pageRef(page.id, page.header.overflow + 1);
  }

  private pageRef(id: number, pages: number): PageRef {
    const offset = id * this.pageSize;
    const length = pages * this.pageSize;
    if (!Number.isSafeInteger(offset + length) || offset + length > this.mapped) {
      throw new BboltCorruptError(`unexpected fault address: page ${id} is beyond the end of the file`);
    }
    let buf = this.source.read(offset, Math.min(length, this.source.size - offset));
    if (buf.length < length) buf = Buffer.concat([buf, Buffer.alloc(length - buf.length)]);
    return { id, buf, offset: 0, header: readPageHeader(buf, 0) };
  }

  /** tx.Check(): bbolt's consistency errors, in its order (an empty list for a sound file). */
  check(): string[] {
    const errors: string[] = [];
    const freed = new Set<number>();
    for (const id of this.freelist()) {
      if (freed.has(id)) errors.push(`page ${id}: already freed`);
      freed.add(id);
    }
    const reachable = new Set<number>([0, 1]);
    if (this.meta.freelist !== PGID_NO_FREELIST) {
      const id = Number(this.meta.freelist);
      for (let i = 0; i <= this.page(id).header.overflow; i++) reachable.add(id + i);
    }
    this.checkBucket(this.meta.root, reachable, freed, errors);
    for (let i = 0; i < this.meta.pgid; i++) {
      if (!reachable.has(i) && !freed.has(i)) errors.push(`page ${i}: unreachable unfreed`);
    }
    return errors;
  }

  /** The free page ids: the freelist page's, or (not synced) every page below the high-water mark no bucket reaches. */
  private freelist(): number[] {
    if (this.meta.freelist !== PGID_NO_FREELIST) {
      const page = this.extent(this.page(Number(this.meta.freelist)));
      if (!(page.header.flags & FREELIST_PAGE_FLAG)) {
        throw new BboltCorruptError(`invalid freelist page: ${page.header.id}, page type is ${pageType(page.header.flags)}`);
      }
      return readFreelistIds(page.buf, page.offset).sort((a, b) => a - b);
    }
    const reachable = new Set<number>();
    const errors: string[] = [];
    this.checkBucket(this.meta.root, reachable, new Set(), errors);
    if (errors.length > 0) throw new BboltCorruptError(`freepages: failed to get all reachable pages (${errors[0]})`);
    const free: number[] = [];
    for (let i = 2; i < this.meta.pgid; i++) if (!reachable.has(i)) free.push(i);
    return free;
  }

  private checkBucket(root: number, reachable: Set<number>, freed: Set<number>, errors: string[]): void {
    if (root === 0) return; // inline buckets have no pages of their own
    this.forEachPage(root, (page) => {
      const { id, overflow, flags } = page.header;
      if (id > this.meta.pgid) errors.push(`page ${id}: out of bounds: ${this.meta.pgid}`);
      for (let i = 0; i <= overflow; i++) {
        if (reachable.has(id + i)) errors.push(`page ${id + i}: multiple references`);
        reachable.add(id + i);
      }
      if (freed.has(id)) errors.push(`page ${id}: reachable freed`);
      else if (!(flags & BRANCH_PAGE_FLAG) && !(flags & LEAF_PAGE_FLAG)) errors.push(`page ${id}: invalid type: ${pageType(flags)}`);
    });
    new BboltBucket(this, root, undefined).forEachBucket((_key, bucket) => this.checkBucket(bucket.rootPage, reachable, freed, errors));
  }

  private forEachPage(id: number, fn: (page: PageRef) => void): void {
    let page = this.page(id);
    fn(page);
    if (page.header.flags & BRANCH_PAGE_FLAG) {
      page = this.extent(page);
      for (let i = 0; i < page.header.count; i++) this.forEachPage(readBranchElement(page.buf, page.offset, i).pgid, fn);
    }
  }
}

/** Called for each leaf element with its page and its span (reused between calls: copy what you keep). */
type ElementVisitor = (buf: Buffer, pageOffset: number, index: number, span: LeafSpan) => void;

/** A bucket: its entries in key order, nested buckets opened by name. */
export class BboltBucket {
  constructor(
    private readonly db: BboltReader,
    /** The root page, or 0 for an inline bucket (then `inline` holds its page). */
    readonly rootPage: number,
    private readonly inline: { buf: Buffer; offset: number } | undefined,
  ) {}

  /**
   * Every entry in key order; `value` is null and `bucket` set for a nested bucket (as bbolt's ForEach
   * gives a nil value for one).
   */
  forEach(fn: (key: Buffer, value: Buffer | null, bucket: BboltBucket | undefined) => void): void {
    this.forEachElement((buf, _offset, _index, { flags, keyStart, keyEnd, valueEnd }) => {
      const key = buf.subarray(keyStart, keyEnd);
      if (flags & BUCKET_LEAF_FLAG) fn(key, null, this.openChild(buf.subarray(keyEnd, valueEnd)));
      else fn(key, buf.subarray(keyEnd, valueEnd), undefined);
    });
  }

  /**
   * Every entry as a span of `buf` (key then value, contiguous; a nested bucket's has BUCKET_LEAF_FLAG in
   * its flags), without slicing: for walks over every key of a large bucket. The span is reused between calls.
   */
  forEachSpan(fn: (buf: Buffer, span: LeafSpan) => void): void {
    this.forEachElement((buf, _offset, _index, span) => fn(buf, span));
  }

  /** The nested buckets only, in key order. */
  forEachBucket(fn: (key: Buffer, bucket: BboltBucket) => void): void {
    this.forEachElement((buf, _offset, _index, { flags, keyStart, keyEnd, valueEnd }) => {
      if (flags & BUCKET_LEAF_FLAG) fn(buf.subarray(keyStart, keyEnd), this.openChild(buf.subarray(keyEnd, valueEnd)));
    });
  }

  /** The nested bucket `name`, or undefined when there is none (or the key holds a plain value). */
  bucket(name: Uint8Array): BboltBucket | undefined {
    let found: BboltBucket | undefined;
    this.forEachBucket((key, bucket) => {
      if (!found && Buffer.compare(key, name) === 0) found = bucket;
    });
    return found;
  }

  /** The value of `key`, or undefined (also for a nested bucket). */
  get(key: Uint8Array): Buffer | undefined {
    let found: Buffer | undefined;
    this.forEach((k, value) => {
      if (found === undefined && value && Buffer.compare(k, key) === 0) found = value;
    });
    return found;
  }

  /** Calls fn with the page and index of every leaf element, in key order, each checked to lie inside the file. */
  private forEachElement(fn: ElementVisitor): void {
    if (this.inline) this.walk({ id: 0, ...this.inline, header: readPageHeader(this.inline.buf, this.inline.offset) }, fn);
    else this.walkPage(this.rootPage, fn);
  }

  private walkPage(id: number, fn: ElementVisitor): void {
    this.walk(this.db.extent(this.db.page(id)), fn);
  }

  private walk(page: PageRef, fn: ElementVisitor): void {
    const { buf, offset, header } = page;
    // bbolt's cursor takes any page that is not a leaf for a branch.
    if (!(header.flags & LEAF_PAGE_FLAG)) {
      for (let i = 0; i < header.count; i++) this.walkPage(readBranchElement(buf, offset, i).pgid, fn);
      return;
    }
    const span = newLeafSpan();
    for (let i = 0; i < header.count; i++) {
      // bbolt does not check; Go panics on a slice out of range
      if (offset + PAGE_HEADER_SIZE + (i + 1) * LEAF_ELEMENT_SIZE > buf.length || readLeafSpan(buf, offset, i, span).valueEnd > buf.length) {
        throw new BboltCorruptError(`page ${header.id}: element ${i} runs past the end of the file`);
      }
      fn(buf, offset, i, span);
    }
  }

  private openChild(value: Buffer): BboltBucket {
    if (value.length < BUCKET_HEADER_SIZE) throw new BboltCorruptError('bucket header beyond its value');
    const { root } = readBucketHeader(value);
    if (root !== 0) return new BboltBucket(this.db, root, undefined);
    return new BboltBucket(this.db, 0, { buf: value, offset: BUCKET_HEADER_SIZE });
  }
}
