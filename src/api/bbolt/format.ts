// bbolt's on-disk page format (go.etcd.io/bbolt v1.3.x, the one etcd 3.4 and 3.5 write), for the reader and
// the writer alike. Everything is little-endian, laid out as Go's structs are on 64-bit machines:
//   page     = header (id u64, flags u16, count u16, overflow u32) + body; a page of `overflow` extra
//              pages continues into the next ones (large leaves, big freelists)
//   meta     = pages 0 and 1: magic, version, pageSize, flags, root bucket (root, sequence), freelist,
//              pgid (high-water mark), txid, checksum (FNV-64a of the 56 bytes before it)
//   branch   = count elements (pos u32, ksize u32, pgid u64); a key sits `pos` bytes after its element
//   leaf     = count elements (flags u32, pos u32, ksize u32, vsize u32); value follows the key
//   bucket   = a leaf value flagged BUCKET_LEAF_FLAG: header (root u64, sequence u64); root 0 means
//              "inline": a whole leaf page follows the header in the value
//   freelist = count page ids (u64); count 0xffff means the real count is the first u64
import { fnv64a } from '../primitives/fnv.js';

export const MAGIC = 0xed0cdaed;
export const VERSION = 2;
/** etcd's files use the OS page size, 4096 on the machines it runs on. */
export const DEFAULT_PAGE_SIZE = 4096;
export const MIN_KEYS_PER_PAGE = 2;

export const PAGE_HEADER_SIZE = 16;
export const BRANCH_ELEMENT_SIZE = 16;
export const LEAF_ELEMENT_SIZE = 16;
export const BUCKET_HEADER_SIZE = 16;
export const META_SIZE = 64;
/** The checksum covers the meta's bytes before this offset. */
export const META_CHECKSUM_OFFSET = 56;
/** A freelist page's count at this value means the first u64 of the body holds the count. */
export const FREELIST_COUNT_OVERFLOW = 0xffff;

export const BRANCH_PAGE_FLAG = 0x01;
export const LEAF_PAGE_FLAG = 0x02;
export const META_PAGE_FLAG = 0x04;
export const FREELIST_PAGE_FLAG = 0x10;
/** Leaf element flag: the value is a nested bucket. */
export const BUCKET_LEAF_FLAG = 0x01;

/** meta.freelist when the freelist is not written (NoFreelistSync); the reader rebuilds it. */
export const PGID_NO_FREELIST = 0xffff_ffff_ffff_ffffn;

/** bbolt's errors.go texts that reading can produce. */
export const ERR_INVALID = 'invalid database';
export const ERR_VERSION_MISMATCH = 'version mismatch';
export const ERR_CHECKSUM = 'checksum error';
export const ERR_FILE_TOO_SMALL = 'file size too small';

export interface PageHeader {
  id: number;
  flags: number;
  count: number;
  overflow: number;
}

export interface Meta {
  magic: number;
  version: number;
  pageSize: number;
  flags: number;
  /** The root bucket's root page. */
  root: number;
  sequence: bigint;
  /** Page of the freelist, or PGID_NO_FREELIST. */
  freelist: bigint;
  /** High-water mark: the number of pages in use. */
  pgid: number;
  txid: number;
  checksum: bigint;
}

export interface LeafElement {
  flags: number;
  key: Buffer;
  value: Buffer;
}

export interface BranchElement {
  key: Buffer;
  pgid: number;
}

/** A page id or txid as a number (exact: a file would need 2^53 pages to break it). */
function u64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * 0x1_0000_0000;
}

function writeU64(buf: Buffer, offset: number, value: number | bigint): void {
  buf.writeBigUInt64LE(BigInt(value), offset);
}

/** Go's page.typ(): how bbolt names a page's type in its check errors. */
export function pageType(flags: number): string {
  if (flags & BRANCH_PAGE_FLAG) return 'branch';
  if (flags & LEAF_PAGE_FLAG) return 'leaf';
  if (flags & META_PAGE_FLAG) return 'meta';
  if (flags & FREELIST_PAGE_FLAG) return 'freelist';
  return `unknown<${flags.toString(16).padStart(2, '0')}>`;
}

export function readPageHeader(buf: Buffer, offset: number): PageHeader {
  return {
    id: u64(buf, offset),
    flags: buf.readUInt16LE(offset + 8),
    count: buf.readUInt16LE(offset + 10),
    overflow: buf.readUInt32LE(offset + 12),
  };
}

export function writePageHeader(buf: Buffer, offset: number, header: PageHeader): void {
  writeU64(buf, offset, header.id);
  buf.writeUInt16LE(header.flags, offset + 8);
  buf.writeUInt16LE(header.count, offset + 10);
  buf.writeUInt32LE(header.overflow, offset + 12);
}

/** The meta of the page at `pageOffset`. */
export function readMeta(buf: Buffer, pageOffset: number): Meta {
  const m = pageOffset + PAGE_HEADER_SIZE;
  return {
    magic: buf.readUInt32LE(m),
    version: buf.readUInt32LE(m + 4),
    pageSize: buf.readUInt32LE(m + 8),
    flags: buf.readUInt32LE(m + 12),
    root: u64(buf, m + 16),
    sequence: buf.readBigUInt64LE(m + 24),
    freelist: buf.readBigUInt64LE(m + 32),
    pgid: u64(buf, m + 40),
    txid: u64(buf, m + 48),
    checksum: buf.readBigUInt64LE(m + 56),
  };
}

/** FNV-64a of the meta's bytes before its checksum, as stored at `pageOffset`. */
export function metaChecksum(buf: Buffer, pageOffset: number): bigint {
  const m = pageOffset + PAGE_HEADER_SIZE;
  return fnv64a(buf.subarray(m, m + META_CHECKSUM_OFFSET));
}

/** bbolt's meta.validate(): the error text, or undefined for a usable meta. A zero checksum is not checked. */
export function validateMeta(buf: Buffer, pageOffset: number): string | undefined {
  const meta = readMeta(buf, pageOffset);
  if (meta.magic !== MAGIC) return ERR_INVALID;
  if (meta.version !== VERSION) return ERR_VERSION_MISMATCH;
  if (meta.checksum !== 0n && meta.checksum !== metaChecksum(buf, pageOffset)) return ERR_CHECKSUM;
  return undefined;
}

/**
 * Writes a meta page (header and meta) at `pageOffset`, as bbolt's meta.write: the page id is txid % 2 and
 * the checksum is computed here (`meta.checksum` is ignored).
 */
export function writeMetaPage(buf: Buffer, pageOffset: number, meta: Omit<Meta, 'checksum' | 'magic' | 'version'>): void {
  writePageHeader(buf, pageOffset, { id: meta.txid % 2, flags: META_PAGE_FLAG, count: 0, overflow: 0 });
  const m = pageOffset + PAGE_HEADER_SIZE;
  buf.writeUInt32LE(MAGIC, m);
  buf.writeUInt32LE(VERSION, m + 4);
  buf.writeUInt32LE(meta.pageSize, m + 8);
  buf.writeUInt32LE(meta.flags, m + 12);
  writeU64(buf, m + 16, meta.root);
  writeU64(buf, m + 24, meta.sequence);
  writeU64(buf, m + 32, meta.freelist);
  writeU64(buf, m + 40, meta.pgid);
  writeU64(buf, m + 48, meta.txid);
  writeU64(buf, m + 56, metaChecksum(buf, pageOffset));
}

/** Element `index` of the leaf page at `pageOffset` (its key and value are views into buf). */
export function readLeafElement(buf: Buffer, pageOffset: number, index: number): LeafElement {
  const { flags, keyStart, keyEnd, valueEnd } = readLeafSpan(buf, pageOffset, index, newLeafSpan());
  return { flags, key: buf.subarray(keyStart, keyEnd), value: buf.subarray(keyEnd, valueEnd) };
}

/** Where leaf element `index`'s key and value lie in buf (the value follows the key). */
export interface LeafSpan {
  flags: number;
  keyStart: number;
  keyEnd: number;
  valueEnd: number;
}

export function newLeafSpan(): LeafSpan {
  return { flags: 0, keyStart: 0, keyEnd: 0, valueEnd: 0 };
}

/** Fills `out` with element `index`'s span, without slicing (for walks over many elements). */
export function readLeafSpan(buf: Buffer, pageOffset: number, index: number, out: LeafSpan): LeafSpan {
  const e = pageOffset + PAGE_HEADER_SIZE + index * LEAF_ELEMENT_SIZE;
  out.flags = buf.readUInt32LE(e);
  out.keyStart = e + buf.readUInt32LE(e + 4);
  out.keyEnd = out.keyStart + buf.readUInt32LE(e + 8);
  out.valueEnd = out.keyEnd + buf.readUInt32LE(e + 12);
  return out;
}

/** Element `index` of the branch page at `pageOffset`. */
export function readBranchElement(buf: Buffer, pageOffset: number, index: number): BranchElement {
  const e = pageOffset + PAGE_HEADER_SIZE + index * BRANCH_ELEMENT_SIZE;
  const keyStart = e + buf.readUInt32LE(e);
  return { key: buf.subarray(keyStart, keyStart + buf.readUInt32LE(e + 4)), pgid: u64(buf, e + 8) };
}

/**
 * Writes a leaf page's elements and their keys and values right after the header at `pageOffset`
 * (the header itself is the caller's: id, overflow). Returns the bytes used, header included.
 */
export function writeLeafElements(buf: Buffer, pageOffset: number, elements: readonly LeafElement[]): number {
  let data = PAGE_HEADER_SIZE + elements.length * LEAF_ELEMENT_SIZE;
  elements.forEach((element, i) => {
    const e = PAGE_HEADER_SIZE + i * LEAF_ELEMENT_SIZE;
    buf.writeUInt32LE(element.flags, pageOffset + e);
    buf.writeUInt32LE(data - e, pageOffset + e + 4);
    buf.writeUInt32LE(element.key.length, pageOffset + e + 8);
    buf.writeUInt32LE(element.value.length, pageOffset + e + 12);
    element.key.copy(buf, pageOffset + data);
    element.value.copy(buf, pageOffset + data + element.key.length);
    data += element.key.length + element.value.length;
  });
  return data;
}

/** As writeLeafElements, for a branch page. */
export function writeBranchElements(buf: Buffer, pageOffset: number, elements: readonly BranchElement[]): number {
  let data = PAGE_HEADER_SIZE + elements.length * BRANCH_ELEMENT_SIZE;
  elements.forEach((element, i) => {
    const e = PAGE_HEADER_SIZE + i * BRANCH_ELEMENT_SIZE;
    buf.writeUInt32LE(data - e, pageOffset + e);
    buf.writeUInt32LE(element.key.length, pageOffset + e + 4);
    writeU64(buf, pageOffset + e + 8, element.pgid);
    element.key.copy(buf, pageOffset + data);
    data += element.key.length;
  });
  return data;
}

/** Bytes a leaf page with these elements takes (header, elements, keys, values). */
export function leafPageSize(elements: readonly { key: Uint8Array; value: Uint8Array }[]): number {
  let size = PAGE_HEADER_SIZE;
  for (const element of elements) size += LEAF_ELEMENT_SIZE + element.key.length + element.value.length;
  return size;
}

/** A nested bucket's header, at the start of its leaf value. */
export function readBucketHeader(value: Buffer): { root: number; sequence: bigint } {
  return { root: u64(value, 0), sequence: value.readBigUInt64LE(8) };
}

export function writeBucketHeader(buf: Buffer, offset: number, root: number, sequence: bigint): void {
  writeU64(buf, offset, root);
  writeU64(buf, offset + 8, sequence);
}

/** The page ids of the freelist page at `pageOffset` (the page's flags are the caller's to check). */
export function readFreelistIds(buf: Buffer, pageOffset: number): number[] {
  const header = readPageHeader(buf, pageOffset);
  let start = pageOffset + PAGE_HEADER_SIZE;
  let count = header.count;
  if (count === FREELIST_COUNT_OVERFLOW) {
    count = u64(buf, start);
    start += 8;
  }
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(u64(buf, start + i * 8));
  return ids;
}

/**
 * Writes a freelist page's header and ids (sorted, as bbolt writes them) at `pageOffset`, with the
 * overflow the size needs. Returns the page count it spans.
 */
export function writeFreelistPage(buf: Buffer, pageOffset: number, id: number, ids: readonly number[], pageSize: number): number {
  const sorted = [...ids].sort((a, b) => a - b);
  const overflowed = sorted.length >= FREELIST_COUNT_OVERFLOW;
  let start = pageOffset + PAGE_HEADER_SIZE;
  if (overflowed) {
    writeU64(buf, start, sorted.length);
    start += 8;
  }
  sorted.forEach((pgid, i) => writeU64(buf, start + i * 8, pgid));
  const pages = freelistPageCount(sorted.length, pageSize);
  writePageHeader(buf, pageOffset, {
    id,
    flags: FREELIST_PAGE_FLAG,
    count: overflowed ? FREELIST_COUNT_OVERFLOW : sorted.length,
    overflow: pages - 1,
  });
  return pages;
}

/** Pages a freelist of `count` ids needs. */
export function freelistPageCount(count: number, pageSize: number): number {
  const bytes = PAGE_HEADER_SIZE + (count >= FREELIST_COUNT_OVERFLOW ? count + 1 : count) * 8;
  return Math.max(1, Math.ceil(bytes / pageSize));
}
