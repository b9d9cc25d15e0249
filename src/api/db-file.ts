// What a backend file is, from its first two pages: bbolt (etcd's) and LMDB (ours) both start with two
// meta pages whose magic number sits right after the page header. The server reads this before it
// lets lmdb map a file (lmdb trusts its file: a foreign or cut file can crash the process), and the
// snapshot commands read it to tell the formats apart. No lmdb import here.

import { MAGIC as BBOLT_MAGIC } from './bbolt/format.js';

export type DbFileFormat = 'bbolt' | 'lmdb' | 'unknown';

export const LMDB_MAGIC = 0xbeefc0de;
/** bbolt's page header is 16 bytes; LMDB's is 16 (0.9) or 24 (1.0, the one lmdb-js builds). */
const MAGIC_OFFSETS = [16, 24];
/** LMDB 1.0's data format version, the one this build's lmdb reads and writes. */
export const LMDB_DATA_VERSION = 2;
/** Bytes to read from the start of a file for inspectLmdbFile: two meta pages of the largest size LMDB uses. */
export const DB_HEAD_BYTES = 2 * 65536;

export function detectDbFormat(head: Buffer): DbFileFormat {
  for (const offset of MAGIC_OFFSETS) {
    if (head.length < offset + 4) continue;
    const magic = head.readUInt32LE(offset);
    if (magic === BBOLT_MAGIC) return 'bbolt';
    if (magic === LMDB_MAGIC) return 'lmdb';
  }
  return 'unknown';
}

interface LmdbMeta {
  version: number;
  pageSize: number;
  lastPage: bigint;
}

// LMDB 1.0's layout: page header (pgno u64, txnid u64, pad u16, flags u16, lower u16, upper u16), then
// MDB_meta: magic u32, version u32, address u64, mapsize u64, two MDB_db of 48 bytes (the first one's
// md_pad is the page size), last_pg u64, txnid u64.
const META_AT = 24;
const META_VERSION = META_AT + 4;
const META_PAGE_SIZE = META_AT + 24;
const META_LAST_PAGE = META_AT + 120;

function lmdbMeta(page: Buffer): LmdbMeta | null {
  if (page.length < META_LAST_PAGE + 8 || page.readUInt32LE(META_AT) !== LMDB_MAGIC) return null;
  return { version: page.readUInt32LE(META_VERSION) & 0xffff, pageSize: page.readUInt32LE(META_PAGE_SIZE), lastPage: page.readBigUInt64LE(META_LAST_PAGE) };
}

/**
 * What is wrong with an LMDB file that this build must not map, or null when it looks whole: head is
 * the file's first DB_HEAD_BYTES (or all of it), size its length.
 */
export function lmdbFileProblem(head: Buffer, size: number): string | null {
  if (size === 0) return 'is empty (0 bytes)';
  const format = detectDbFormat(head);
  if (format === 'bbolt') return "is etcd's own backend (a bbolt file), not this server's (lmdb)";
  if (format === 'unknown') return 'is not a database file this server wrote (no LMDB magic number)';
  const first = lmdbMeta(head);
  if (!first) return 'is not a database file this server wrote (no LMDB meta page)';
  if (first.version !== LMDB_DATA_VERSION) return `is in LMDB data format ${first.version}, and this build reads format ${LMDB_DATA_VERSION}`;
  const { pageSize } = first;
  if (pageSize < 4096 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return `is corrupted (meta page names a page size of ${pageSize})`;
  if (size < 2 * pageSize) return `is truncated (${size} bytes, shorter than its two meta pages)`;
  const second = lmdbMeta(head.subarray(pageSize));
  if (!second || second.version !== first.version || second.pageSize !== pageSize) return 'is corrupted (its second meta page is damaged)';
  // both meta pages name pages the file must hold (LMDB never shrinks a file in place)
  const needed = (Number(first.lastPage < second.lastPage ? first.lastPage : second.lastPage) + 1) * pageSize;
  if (size < needed) return `is truncated (${size} bytes, its meta pages name ${needed})`;
  return null;
}
