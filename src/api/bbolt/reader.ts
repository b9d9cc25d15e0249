// A read-only bbolt database over a file's bytes, as bbolt v1.3.6 (etcd 3.4's) opens one read-only: the page
// size from meta page 0, both metas validated, the valid meta with the higher txid chosen; buckets walked in
// key order through branch, leaf, overflow and inline pages; tx.Check()'s consistency errors word for word.
import {
  BUCKET_HEADER_SIZE,
  BUCKET_LEAF_FLAG,
  BRANCH_PAGE_FLAG,
  DEFAULT_PAGE_SIZE,
  ERR_FILE_TOO_SMALL,
  ERR_INVALID,
  FREELIST_PAGE_FLAG,
  LEAF_ELEMENT_SIZE,
  LEAF_PAGE_FLAG,
  PAGE_HEADER_SIZE,
  PGID_NO_FREELIST,
  type Meta,
  type PageHeader,
  pageType,
  readBranchElement,
  readBucketHeader,
  readFreelistIds,
  readLeafElement,
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

/** A page reached through the tree: where its bytes are, and its header. */
interface PageRef {
  buf: Buffer;
  offset: number;
  header: PageHeader;
}

export class BboltReader {
  readonly pageSize: number;
  /** The meta a read transaction uses. */
  readonly meta: Meta;

  private constructor(private readonly data: Buffer, pageSize: number, meta: Meta) {
    this.pageSize = pageSize;
    this.meta = meta;
  }

  /**
   * Opens a database file's bytes (a trailer after the pages, like etcd's sha256, is ignored as bbolt does).
   * An empty file is the caller's to refuse: bbolt would try to initialise it.
   */
  static open(file: Buffer): BboltReader {
    // bbolt reads 4 KiB to learn the page size; a shorter file is invalid.
    if (file.length < DEFAULT_PAGE_SIZE) throw new BboltOpenError(ERR_INVALID);
    let pageSize = DEFAULT_PAGE_SIZE;
    if (validateMeta(file, 0) === undefined) pageSize = readMeta(file, 0).pageSize;
    if (file.length < pageSize * 2) throw new BboltOpenError(ERR_FILE_TOO_SMALL);
    const error0 = validateMeta(file, 0);
    const error1 = validateMeta(file, pageSize);
    if (error0 !== undefined && error1 !== undefined) throw new BboltOpenError(error0);
    const meta0 = readMeta(file, 0);
    const meta1 = readMeta(file, pageSize);
    // db.meta(): the higher txid if it validates, else the other.
    const [first, firstError, second] =
      meta1.txid > meta0.txid ? [meta1, error1, meta0] : [meta0, error0, meta1];
    // bbolt reads the file through mmap: the tail of its last OS page reads as zeros.
    const mapped = Math.ceil(file.length / DEFAULT_PAGE_SIZE) * DEFAULT_PAGE_SIZE;
    const data = mapped === file.length ? file : Buffer.concat([file, Buffer.alloc(mapped - file.length)]);
    return new BboltReader(data, pageSize, firstError === undefined ? first : second);
  }

  /** The file's bytes as read (with a zeroed tail up to the OS page); views returned by buckets point into them. */
  bytes(): Buffer {
    return this.data;
  }

  /** tx.Size(): the high-water mark in bytes. */
  size(): number {
    return this.meta.pgid * this.pageSize;
  }

  /** The root bucket, whose entries are the top-level buckets. */
  root(): BboltBucket {
    return new BboltBucket(this, this.meta.root, undefined);
  }

  /** The page stored at `id` (its header, read from the file). */
  page(id: number): PageRef {
    const offset = id * this.pageSize;
    if (!Number.isSafeInteger(offset) || offset + PAGE_HEADER_SIZE > this.data.length) {
      throw new BboltCorruptError(`unexpected fault address: page ${id} is beyond the end of the file`);
    }
    return { buf: this.data, offset, header: readPageHeader(this.data, offset) };
  }

  /** Ensures a page's elements and data lie inside the file. */
  checkPageBounds(page: PageRef): void {
    const end = page.offset + (page.header.overflow + 1) * this.pageSize;
    if (page.buf === this.data && end > this.data.length) {
      throw new BboltCorruptError(`unexpected fault address: page ${page.header.id} runs past the end of the file`);
    }
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
      const page = this.page(Number(this.meta.freelist));
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
    new BboltBucket(this, root, undefined).forEach((key, _value, bucket) => {
      if (bucket) this.checkBucket(bucket.rootPage, reachable, freed, errors);
    });
  }

  private forEachPage(id: number, fn: (page: PageRef) => void): void {
    const page = this.page(id);
    fn(page);
    if (page.header.flags & BRANCH_PAGE_FLAG) {
      this.checkPageBounds(page);
      for (let i = 0; i < page.header.count; i++) this.forEachPage(readBranchElement(page.buf, page.offset, i).pgid, fn);
    }
  }
}

/** Whether a leaf element's key and value lie inside the bytes (bbolt does not check; Go panics on a slice out of range). */
function leafElementInBounds(buf: Buffer, pageOffset: number, index: number): boolean {
  const e = pageOffset + PAGE_HEADER_SIZE + index * LEAF_ELEMENT_SIZE;
  if (e + LEAF_ELEMENT_SIZE > buf.length) return false;
  return e + buf.readUInt32LE(e + 4) + buf.readUInt32LE(e + 8) + buf.readUInt32LE(e + 12) <= buf.length;
}

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
    if (this.inline) {
      this.walk({ ...this.inline, header: readPageHeader(this.inline.buf, this.inline.offset) }, fn);
    } else {
      this.walkPage(this.rootPage, fn);
    }
  }

  /** The nested bucket `name`, or undefined when there is none (or the key holds a plain value). */
  bucket(name: Uint8Array): BboltBucket | undefined {
    let found: BboltBucket | undefined;
    this.forEach((key, _value, bucket) => {
      if (!found && bucket && Buffer.compare(key, name) === 0) found = bucket;
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

  private walkPage(id: number, fn: (key: Buffer, value: Buffer | null, bucket: BboltBucket | undefined) => void): void {
    const page = this.db.page(id);
    this.db.checkPageBounds(page);
    this.walk(page, fn);
  }

  private walk(page: PageRef, fn: (key: Buffer, value: Buffer | null, bucket: BboltBucket | undefined) => void): void {
    const { buf, offset, header } = page;
    // bbolt's cursor takes any page that is not a leaf for a branch.
    if (!(header.flags & LEAF_PAGE_FLAG)) {
      for (let i = 0; i < header.count; i++) this.walkPage(readBranchElement(buf, offset, i).pgid, fn);
      return;
    }
    for (let i = 0; i < header.count; i++) {
      const element = readLeafElement(buf, offset, i);
      if (!leafElementInBounds(buf, offset, i)) {
        throw new BboltCorruptError(`page ${header.id}: element ${i} runs past the end of the file`);
      }
      if (element.flags & BUCKET_LEAF_FLAG) {
        fn(element.key, null, this.openChild(element.value));
      } else {
        fn(element.key, element.value, undefined);
      }
    }
  }

  private openChild(value: Buffer): BboltBucket {
    if (value.length < BUCKET_HEADER_SIZE) throw new BboltCorruptError('bucket header beyond its value');
    const { root } = readBucketHeader(value);
    if (root !== 0) return new BboltBucket(this.db, root, undefined);
    return new BboltBucket(this.db, 0, { buf: value, offset: BUCKET_HEADER_SIZE });
  }
}
