// What kind of backend file a snapshot holds, and etcd's snapshot integrity trailer. etcd appends the
// sha256 of the database to every snapshot it streams; a file whose size is 32 more than a multiple of
// 512 (the smallest disk sector) carries that trailer. Both backends start with a meta page whose magic
// number sits right after the page header, so a few bytes tell them apart.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { detectDbFormat, type DbFileFormat } from '../api/db-file.js';

/** What `snapshot status` reports about a snapshot file. */
export interface DBStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

const SHA256_SIZE = 32;

export function hasChecksum(size: number): boolean {
  return size % 512 === SHA256_SIZE;
}

export interface SnapshotFileInfo {
  format: DbFileFormat;
  /** Bytes of the database itself (the file without its sha256 trailer). */
  dataSize: number;
  /** The trailer, when the file has one. */
  trailer?: Buffer;
}

export async function inspectSnapshot(path: string): Promise<SnapshotFileInfo> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(size, 64));
    await file.read(head, 0, head.length, 0);
    const info: SnapshotFileInfo = { format: detectDbFormat(head), dataSize: size };
    if (hasChecksum(size)) {
      info.trailer = Buffer.alloc(SHA256_SIZE);
      await file.read(info.trailer, 0, SHA256_SIZE, size - SHA256_SIZE);
      info.dataSize = size - SHA256_SIZE;
    }
    return info;
  } finally {
    await file.close();
  }
}

/** sha256 of the first `length` bytes of a file, streamed. */
export async function sha256OfPrefix(path: string, length: number): Promise<Buffer> {
  const hash = createHash('sha256');
  const file = await open(path, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let position = 0;
    while (position < length) {
      const { bytesRead } = await file.read(chunk, 0, Math.min(chunk.length, length - position), position);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    await file.close();
  }
  return hash.digest();
}

/** Go's %v of a byte slice, as etcd's hash mismatch error prints it: `[1 2 255]`. */
export function goByteSlice(bytes: Uint8Array): string {
  return `[${[...bytes].join(' ')}]`;
}

/** Go's text for common file errors (`open x: no such file or directory`), from a Node error. */
export function goFileError(op: string, path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const texts: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
    EEXIST: 'file exists',
    ENOSPC: 'no space left on device',
  };
  return `${op} ${path}: ${(code && texts[code]) ?? (error as Error).message}`;
}
